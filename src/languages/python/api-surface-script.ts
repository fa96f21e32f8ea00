/**
 * Run by `python3 -I -S -c`: reads Python source on stdin, parses it with `ast` (parsing never runs
 * the code) and prints the public top-level names with their signatures as JSON. `__all__`, when it
 * is a literal list or tuple of strings, decides which names are public; otherwise every top-level
 * name not starting with `_`. Methods of public classes are items of their own (`Class.method`).
 */
export const PYTHON_API_SCRIPT = String.raw`
import ast, json, sys
try:
    tree = ast.parse(sys.stdin.buffer.read())
except (SyntaxError, ValueError, RecursionError, MemoryError) as e:
    print(json.dumps({"error": "%s (line %s)" % (e.__class__.__name__, getattr(e, "lineno", "?"))}))
    sys.exit(0)

def func_sig(node, prefix=""):
    kw = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    decos = "".join("@%s " % ast.unparse(d) for d in node.decorator_list)
    ret = " -> %s" % ast.unparse(node.returns) if node.returns else ""
    return "%s%s %s(%s)%s" % (decos, kw, node.name, ast.unparse(node.args), ret)

items = []
declared = {}
public = None
for node in tree.body:
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for t in targets:
            if isinstance(t, ast.Name) and t.id == "__all__" and isinstance(node.value, (ast.List, ast.Tuple)):
                names = [e.value for e in node.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                if len(names) == len(node.value.elts):
                    public = set(names)

def visible(name):
    return name in public if public is not None else not name.startswith("_")

for node in tree.body:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and visible(node.name):
        items.append({"name": node.name, "kind": "function", "signature": func_sig(node)})
    elif isinstance(node, ast.ClassDef) and visible(node.name):
        bases = ", ".join([ast.unparse(b) for b in node.bases] + [ast.unparse(k) for k in node.keywords])
        decos = "".join("@%s " % ast.unparse(d) for d in node.decorator_list)
        items.append({"name": node.name, "kind": "class", "signature": "%sclass %s(%s)" % (decos, node.name, bases)})
        for m in node.body:
            if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)) and (not m.name.startswith("_") or (m.name.startswith("__") and m.name.endswith("__"))):
                items.append({"name": "%s.%s" % (node.name, m.name), "kind": "method", "signature": func_sig(m)})
            elif isinstance(m, ast.AnnAssign) and isinstance(m.target, ast.Name) and not m.target.id.startswith("_"):
                items.append({"name": "%s.%s" % (node.name, m.target.id), "kind": "field", "signature": "%s: %s" % (m.target.id, ast.unparse(m.annotation))})
    elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and visible(node.target.id) and node.target.id != "__all__":
        items.append({"name": node.target.id, "kind": "variable", "signature": "%s: %s" % (node.target.id, ast.unparse(node.annotation))})
    elif isinstance(node, ast.Assign):
        for t in node.targets:
            for n in ([t] if isinstance(t, ast.Name) else [e for e in getattr(t, "elts", []) if isinstance(e, ast.Name)]):
                if visible(n.id) and n.id != "__all__":
                    items.append({"name": n.id, "kind": "variable", "signature": n.id})
    elif isinstance(node, (ast.Import, ast.ImportFrom)) and public is not None:
        # Only under __all__ is an imported name part of the API (a re-export).
        for a in node.names:
            name = a.asname or a.name.split(".")[0]
            if name in public:
                src = ("from %s%s import %s" % ("." * node.level, node.module or "", a.name)) if isinstance(node, ast.ImportFrom) else "import %s" % a.name
                items.append({"name": name, "kind": "re-export", "signature": src})
print(json.dumps({"items": items}))
`;
