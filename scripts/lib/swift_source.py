"""Swift source with comments and string-literal contents blanked, for the scripts that check code by pattern
(scripts/check-layers.sh, scripts/check-function-length.sh): what is left is code, with every line in its place."""
import re


def code_only(text):
    """The source with comments and string-literal contents replaced by spaces (newlines kept)."""
    out, i, n = [], 0, len(text)
    stack = []  # open string literals: ("\"" or "\"\"\"", raw hashes, interpolation depth marker)
    def blank(s): return re.sub(r"[^\n]", " ", s)
    while i < n:
        if stack:  # inside a string literal
            quote, hashes = stack[-1]
            close = quote + "#" * hashes
            if text.startswith(close, i):
                stack.pop(); out.append(" " * len(close)); i += len(close); continue
            if text.startswith("\\" + "#" * hashes + "(", i):  # interpolation: code until the matching )
                j = i + 2 + hashes; depth = 1; k = j
                while k < n and depth:
                    if text[k] == "(": depth += 1
                    elif text[k] == ")": depth -= 1
                    k += 1
                out.append(" " * (j - i)); out.append(code_only(text[j:k - 1])); out.append(" "); i = k; continue
            if text[i] == "\\" and hashes == 0: out.append("  " if text[i+1:i+2] != "\n" else " \n"); i += 2; continue
            out.append("\n" if text[i] == "\n" else " "); i += 1; continue
        if text.startswith("//", i):
            j = text.find("\n", i); j = n if j < 0 else j
            out.append(" " * (j - i)); i = j; continue
        if text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j): depth += 1; j += 2
                elif text.startswith("*/", j): depth -= 1; j += 2
                else: j += 1
            out.append(blank(text[i:j])); i = j; continue
        m = re.match(r"(#*)(\"\"\"|\")", text[i:])
        if m and (m.group(1) == "" or not re.match(r"\w", text[i-1:i] or " ")):
            stack.append((m.group(2), len(m.group(1)))); out.append(" " * m.end()); i += m.end(); continue
        out.append(text[i]); i += 1
    return "".join(out)
