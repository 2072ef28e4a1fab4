"""HTTP speed of approval checks: ``.venv/bin/python bench/http.py --help``; the benchmark
itself is bench/http_bench.py.

This file has the name of the standard library's ``http`` package, and every script in bench/
has bench/ on ``sys.path``: when one of them (or a library it uses: urllib, uvicorn, the Neo4j
driver) imports ``http``, this file is found first. It then hands the importer the standard
library's package instead (a module may replace itself in ``sys.modules`` while it is
imported), so bench/check.py and bench/load.py work unchanged beside it.
"""

import sys

if __name__ == "http":
    import importlib.machinery
    import importlib.util
    import os

    _spec = importlib.machinery.PathFinder.find_spec("http", [os.path.dirname(os.__file__)])
    if _spec is None or _spec.loader is None:
        raise ImportError("the standard library's http package is missing")
    _stdlib = importlib.util.module_from_spec(_spec)
    sys.modules["http"] = _stdlib
    _spec.loader.exec_module(_stdlib)
elif __name__ == "__main__":
    from http_bench import main

    main()
