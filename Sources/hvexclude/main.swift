import HVExclude
print("hvexclude")
