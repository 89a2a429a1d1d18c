#if canImport(Glibc)
import Glibc
#endif

exit(HVExcludeCommand.run(Array(CommandLine.arguments.dropFirst())).rawValue)
