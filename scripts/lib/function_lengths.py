"""Every function, initialiser, subscript and computed property of the Swift files named, with its length in lines
(from its declaration to its closing brace), read from the code with comments and strings blanked."""
import re
import sys

from swift_source import code_only

DECLARATION = re.compile(
    r"(?<![\w.])(?:func\s+(?P<func>[^\s(<]+)|(?P<init>init[?!]?)(?=\s*[(<])|(?P<deinit>deinit)\s*\{|(?P<sub>subscript)(?=\s*[(<]))")


def functions(path):
    """(line, name, lines) for every body-carrying declaration of `path`; nested functions are listed too."""
    code = code_only(open(path, encoding="utf-8").read())
    found = []
    for match in DECLARATION.finditer(code):
        name = match.group("func") or match.group("init") or match.group("deinit") or match.group("sub")
        body = body_span(code, match.end() - (1 if match.group("deinit") else 0))
        if body is None:
            continue
        first = code.count("\n", 0, match.start()) + 1
        last = code.count("\n", 0, body) + 1
        found.append((first, name, last - first + 1))
    return found


def body_span(code, start):
    """The offset of the closing brace of the body that follows the signature at `start`, or None (a requirement)."""
    depth = 0
    i = start
    while i < len(code):
        c = code[i]
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == "{" and depth == 0:
            break
        elif depth == 0 and (c == "}" or re.match(r"\n\s*(?:@\w+\s*)*(?:(?:public|package|private|fileprivate|internal|"
                                                   r"static|mutating|override|final)\s+)*(?:func|var|let|init|case)\b",
                                                   code[i:i + 200])):
            return None
        i += 1
    else:
        return None
    braces = 0
    while i < len(code):
        if code[i] == "{":
            braces += 1
        elif code[i] == "}":
            braces -= 1
            if braces == 0:
                return i
        i += 1
    return None


if __name__ == "__main__":
    limit = int(sys.argv[1])
    for path in sys.argv[2:]:
        for line, name, length in functions(path):
            if length > limit:
                print("%s\t%s\t%d\t%d" % (path, name, line, length))
