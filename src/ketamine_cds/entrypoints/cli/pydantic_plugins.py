"""pydantic's search for plugins, left out of the commands that only read and print.

pydantic looks for plugins when it builds its first validator: it imports ``importlib.metadata``
(with the e-mail, zip-file and CSV modules) and reads the entry points of every installed
package, about 20 ms of a plan's quarter of a second. The product installs no pydantic plugin
(docs/adr/0141).
"""

from __future__ import annotations

import os
import sys
import types

_LOADER = "pydantic.plugin._loader"
_DOC = "No pydantic plugins: a command that only reads and prints (ketamine_cds, docs/adr/0141)."


def leave_out() -> None:
    """Give pydantic a plugin loader that finds none, as its own finds none when told so.

    pydantic's loader returns no plugins under ``PYDANTIC_DISABLE_PLUGINS=__all__``, but only
    after it has been imported; this module stands in for it before then, with its one function
    (the only name pydantic imports from it; a test reads pydantic's source for that). A process
    whose environment sets ``PYDANTIC_DISABLE_PLUGINS`` itself (naming plugins to leave out, or
    empty for none), or that has imported pydantic's loader already, keeps pydantic's own.
    """
    if "PYDANTIC_DISABLE_PLUGINS" in os.environ or _LOADER in sys.modules:
        return
    loader = types.ModuleType(_LOADER, _DOC)
    loader.get_plugins = tuple  # type: ignore[attr-defined] # returns (), no plugin
    sys.modules[_LOADER] = loader


def put_back() -> None:
    """Put pydantic's own loader back for the validators built from now on (a longer command)."""
    loader = sys.modules.get(_LOADER)
    if loader is not None and loader.__doc__ == _DOC:
        del sys.modules[_LOADER]
