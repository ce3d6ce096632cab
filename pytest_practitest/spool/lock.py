"""Advisory locks on spools: shared while a session writes one, exclusive to resume it."""

from __future__ import annotations

try:
    import fcntl
except ImportError:  # Windows: no advisory locks
    fcntl = None  # type: ignore[assignment]
HAS_LOCKS = fcntl is not None  # whether spools can be locked here (see try_lock)


def try_lock(fd: int, *, exclusive: bool) -> bool:
    """An advisory lock on the spool: shared while a session writes it, exclusive to resume it.

    False only when another process holds a conflicting lock. Where there are no
    such locks (Windows, some network file systems) it answers True: no check.
    """
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return True
