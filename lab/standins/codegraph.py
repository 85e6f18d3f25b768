"""Derive a small knowledge graph from a chunk of Python-like source text.

Line-based on purpose: LightRAG's chunks cut files anywhere, so `ast` would
fail on most of them. Entities: classes, functions, methods, imported modules
and names, constants. Relations: class defines method, class inherits base,
module provides an imported name, function calls / uses a known name.
"""
import re

CLASS = re.compile(r"^(\s*)class\s+([A-Za-z_]\w*)\s*(?:\((.*?)\))?\s*:")
DEF = re.compile(r"^(\s*)(async\s+)?def\s+([A-Za-z_]\w*)\s*\(")
IMPORT = re.compile(r"^\s*import\s+([\w., ]+)")
FROM = re.compile(r"^\s*from\s+(\.*[\w.]*)\s+import\s+(.+)")
CONST = re.compile(r"^(\s*)([A-Z][A-Z0-9_]{2,})\s*(?::[^=]+)?=(?!=)\s*(.*)")
CALL = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?\s*\(")
SELF_CALL = re.compile(r"\bself\.([A-Za-z_]\w*)\s*\(")
DOC = re.compile(r'^\s*[rbuRBU]?("""|\'\'\')\s*(.*?)\s*(?:\1)?\s*$')
KEYWORDS = {"if", "for", "while", "return", "print", "super", "isinstance", "len", "str",
            "int", "dict", "list", "set", "tuple", "type", "getattr", "setattr", "hasattr",
            "not", "and", "or", "in", "with", "elif", "except", "lambda", "yield", "assert"}


def _clean(text, limit=160):
    text = " ".join(text.replace("<|", "").replace("|>", "").split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _kind(name):
    if name.isupper():
        return "constant"
    return "class" if name[:1].isupper() else "function"


class Graph:
    def __init__(self):
        self.entities = {}   # name -> [type, [facts]] (insertion ordered)
        self.relations = {}  # (src, tgt) -> (keywords, description)

    def entity(self, name, etype, fact=None):
        ent = self.entities.setdefault(name, [etype, []])
        if fact and fact not in ent[1]:
            ent[1].append(fact)

    def relate(self, src, tgt, keywords, description):
        if src != tgt and (src, tgt) not in self.relations and (tgt, src) not in self.relations:
            self.relations[(src, tgt)] = (keywords, description)

    def described(self):
        """[(name, type, description)] with one sentence per collected fact."""
        out = []
        for name, (etype, facts) in self.entities.items():
            desc = f"{name} is a Python {etype} found in the indexed source code."
            if facts:
                desc += " " + " ".join(facts)
            out.append((name, etype, _clean(desc, 400)))
        return out


def _docstring(lines, i):
    for line in lines[i + 1 : i + 3]:
        m = DOC.match(line)
        if m and m.group(2):
            return _clean(m.group(2), 120).rstrip(".")
        if line.strip():
            return None
    return None


def analyze(code):
    g = Graph()
    lines = code.splitlines()
    aliases = {}   # local name -> module it came from (for `mod.func(` and imported names)
    scopes = []    # [(indent, kind, qualified name)]
    bodies = {}    # qualified function/method name -> list of body lines

    def joined_import(i):  # `from x import (a,\n b)` spans lines
        text = lines[i]
        j = i
        while "(" in text and ")" not in text and j + 1 < len(lines):
            j += 1
            text += " " + lines[j].strip()
        return text.replace("(", " ").replace(")", " ")

    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        while scopes and indent <= scopes[-1][0]:
            scopes.pop()
        cls = next((s[2] for s in reversed(scopes) if s[1] == "class"), None)
        func = next((s[2] for s in reversed(scopes) if s[1] == "def"), None)

        if m := CLASS.match(line):
            name = m.group(2)
            doc = _docstring(lines, i)
            g.entity(name, "class", f"Its docstring says: {doc}." if doc else None)
            for base in re.findall(r"[A-Za-z_][\w.]*", m.group(3) or ""):
                if base in ("object", "metaclass"):
                    continue
                g.entity(base, "class", f"{base} is a base class of {name}.")
                g.relate(name, base, "inherits,subclass", f"Class {name} inherits from {base}.")
            scopes.append((indent, "class", name))
        elif m := DEF.match(line):
            short = m.group(3)
            asyn = "asynchronous " if m.group(2) else ""
            doc = _docstring(lines, i)
            if cls and not func:
                name = f"{cls}.{short}"
                g.entity(name, "method", f"It is an {asyn}method of class {cls}." if asyn else f"It is a method of class {cls}.")
                g.entity(cls, "class", None)
                g.relate(cls, name, "defines,method", f"Class {cls} defines the method {name}.")
            else:
                name = f"{func}.{short}" if func else short
                g.entity(name, "function", f"It is an {asyn}function." if asyn else None)
                if func:
                    g.relate(func, name, "defines,nested function", f"{func} defines the nested function {name}.")
            if doc:
                g.entity(name, g.entities[name][0], f"Its docstring says: {doc}.")
            scopes.append((indent, "def", name))
            bodies[name] = []
        elif (m := FROM.match(line)) and not func:
            module = m.group(1).lstrip(".") or None
            if module == "__future__":  # compiler directives, not code structure
                continue
            for part in joined_import(i).split(" import ", 1)[1].split(","):
                words = part.split()
                if not words or words[0] == "*":
                    continue
                imported, local = words[0], words[-1]
                if module:
                    g.entity(module, "module", None)
                    g.entity(imported, _kind(imported), f"It is imported from module {module}.")
                    g.relate(module, imported, "imports,provides", f"{imported} is imported from module {module}.")
                    aliases[local] = imported
                else:  # `from . import sub`: the names are modules
                    g.entity(imported, "module", "It is a sibling module imported relatively.")
                    aliases[local] = imported
        elif (m := IMPORT.match(line)) and not func:
            for part in m.group(1).split(","):
                words = part.split()
                if words:
                    g.entity(words[0], "module", "It is imported by the indexed code.")
                    aliases[words[-1]] = words[0]
        elif (m := CONST.match(line)) and not func:
            value = _clean(m.group(3), 60)
            owner = f" of class {cls}" if cls else ""
            g.entity(m.group(2), "constant", f"It is a constant{owner} set to {value}." if value else None)
            if cls:
                g.relate(cls, m.group(2), "defines,constant", f"Class {cls} defines the constant {m.group(2)}.")
        if func and func in bodies:
            bodies[func].append(line)

    known = set(g.entities)
    for func, body in bodies.items():
        cls = func.split(".")[0] if g.entities[func][0] == "method" else None
        text = "\n".join(body)
        for meth in SELF_CALL.findall(text):
            target = f"{cls}.{meth}" if cls else None
            if target in known:
                g.relate(func, target, "calls,method call", f"{func} calls the method {target}.")
        for first, attr in CALL.findall(text):
            if first in KEYWORDS or first == "self":
                continue
            if attr and first in aliases and aliases[first] in known and g.entities[aliases[first]][0] == "module":
                g.relate(func, aliases[first], "uses,module", f"{func} calls {first}.{attr} from module {aliases[first]}.")
            target = aliases.get(first, first)
            if not attr and target in known and target != func:
                verb = "instantiates" if g.entities[target][0] == "class" else "calls"
                g.relate(func, target, f"{verb},call", f"{func} {verb} {target}.")
        for const in re.findall(r"\b([A-Z][A-Z0-9_]{2,})\b", text):
            if const in known and g.entities[const][0] == "constant":
                g.relate(func, const, "uses,constant", f"{func} uses the constant {const}.")
    return g
