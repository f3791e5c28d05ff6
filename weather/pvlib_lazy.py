"""pvlib as a lazily loaded package: a sub-module loads when it is first used.

pvlib's ``__init__`` imports all of its sub-modules, among them ``pvlib.spectrum`` (scipy.integrate
and scipy.interpolate), ``pvlib.clearsky`` and ``pvlib.location`` (h5py), ``pvlib.iotools`` (requests)
and ``pvlib.modelchain``, which a run never calls (together about an eighth of ``twin run``'s CPU time on
the default factory), and ``import pvlib.irradiance`` runs that ``__init__`` first.
:func:`lazy_pvlib` registers the package without running its ``__init__`` and gives it a module
``__getattr__`` (PEP 562) that imports a sub-module on first attribute access, as scientific-python's
SPEC 1 (``lazy_loader``) does for other packages. ``pvlib.irradiance.perez`` then costs the imports of
``pvlib.irradiance`` only, and
every other use of pvlib (``import pvlib``, ``from pvlib import spectrum``, ``pvlib.__version__``)
still works, in this process, from the same module objects.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
from types import ModuleType

_LOCK = threading.RLock()

LIGHT_SUBMODULES = frozenset(
    {"atmosphere", "iam", "inverter", "irradiance", "shading", "solarposition", "spa", "tools", "tracking"}
)
"""pvlib sub-modules that import only each other (and numpy, pandas, scipy.optimize/interpolate): loaded
alone on first access. The first access to any other sub-module runs pvlib's own ``__init__``, which
imports the rest in pvlib's order: some of them import each other in cycles that only that order
resolves (``pvlib.pvsystem`` -> ``pvlib.singlediode`` -> ``pvlib.ivtools`` -> ``pvlib.pvsystem``)."""


def lazy_pvlib() -> ModuleType:
    """The ``pvlib`` package, registered lazily unless it is imported already.

    Returns
    -------
    types.ModuleType
        ``sys.modules["pvlib"]``: the imported package if something imported it before, else the
        package registered without running its ``__init__``: a sub-module of
        :data:`LIGHT_SUBMODULES` loads alone on first access, any other attribute runs the
        ``__init__`` first.
    """
    with _LOCK:
        module = sys.modules.get("pvlib")
        if module is not None:
            return module
        spec = importlib.util.find_spec("pvlib")
        module = importlib.util.module_from_spec(spec)
        initialising = []  # the thread running pvlib's __init__, while it runs

        def __getattr__(name: str):
            if threading.get_ident() in initialising:  # asked by pvlib's __init__: the import system loads it
                raise AttributeError(f"module 'pvlib' has no attribute {name!r}")
            with _LOCK:
                if name in LIGHT_SUBMODULES:
                    return importlib.import_module(f"pvlib.{name}")
                if "__getattr__" in vars(module):
                    initialising.append(threading.get_ident())
                    try:
                        spec.loader.exec_module(module)
                    finally:
                        initialising.clear()
                    del module.__getattr__  # the package is whole: plain attributes from now on
            return getattr(module, name)

        module.__getattr__ = __getattr__
        sys.modules["pvlib"] = module
        return module
