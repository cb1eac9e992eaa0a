"""One build at a time: a lock on the output folder.

Two builds in one folder would delete each other's staging folders and mix their
results. :class:`FolderLock` takes an exclusive ``flock`` on ``<folder>/.build.lock`` for
the whole build. The operating system releases the lock when the process ends, however it
ends, so a lock file left by a killed build is *stale*: the next build finds the file
unlocked, says so, and takes it over. A second build while one is running either exits at
once with a message naming the running build (its process id, host, start and command),
or, with ``wait=True``, waits for it.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import stat
import sys
import time
from pathlib import Path

from helpers.build.console import LOG

__all__ = ["LOCK_NAME", "FolderBusy", "FolderLock"]

LOCK_NAME = ".build.lock"


class FolderBusy(RuntimeError):
    """Another build holds the folder's lock."""


class FolderLock:
    """An exclusive lock on a folder, held from ``acquire`` (or ``with``) to ``release``.

    Parameters
    ----------
    folder : Path
        The folder to lock (created if missing).
    wait : bool
        Wait for a running build to finish instead of failing at once.
    log : callable, optional
        Where notes go (a stale lock cleared, waiting); default ``LOG.info``.
    what : str
        What holds the lock, for the messages and the lock file (``"build"``,
        ``"notebook refresh"``).
    """

    def __init__(self, folder: Path, wait: bool = False, log=None, what: str = "build"):
        self.folder, self.wait, self.log, self.what = Path(folder), wait, log or LOG.info, what
        self.path = self.folder / LOCK_NAME
        self._fd: int | None = None
        self.stale: dict | None = None

    def _holder(self) -> dict:
        try:
            return json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}

    def _busy(self) -> str:
        holder = self._holder()
        return (
            f"another {holder.get('what', self.what)} is running in {self.folder} "
            f"(process {holder.get('pid', '?')} on {holder.get('host', '?')}, "
            f"started {holder.get('started', '?')}: "
            f"{holder.get('command', '?')})"
        )

    def acquire(self) -> FolderLock:
        """Take the lock, waiting for its holder when ``wait`` is set; record who holds it.

        A lock file left with content by a process that ended is stale: it is noted through
        ``log``, kept in :attr:`stale`, and replaced by this process's record (what, process
        id, host, start time and command) as JSON.

        Returns
        -------
        FolderLock
            This lock, now held.

        Raises
        ------
        FolderBusy
            When another process holds the lock and ``wait`` is False, or the lock file is a
            link or not a plain file.

        Long: one descriptor from ``open`` to the record written, with a retry when the file
        was replaced while waiting; split, each part would have to close it on its errors.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            try:  # never through a link: the lock file is truncated and written
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    raise FolderBusy(
                        f"{self.path} is a link; a lock file must be a plain file (remove the link)"
                    ) from None
                raise
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                os.close(fd)
                raise FolderBusy(f"{self.path} is not a plain file; remove it")
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    message = self._busy()
                    if not self.wait:
                        raise FolderBusy(
                            f"{message}; wait for it to finish, or run this one with --wait"
                        ) from None
                    self.log(f"{message}; waiting for it to finish ...")
                    fcntl.flock(fd, fcntl.LOCK_EX)
            except BaseException:
                os.close(fd)
                raise
            # The file may have been replaced between open and flock: hold the one on disk.
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        previous = os.read(fd, 4096).decode("utf-8", "replace").strip()
        if previous:
            try:
                self.stale = json.loads(previous)
            except ValueError:
                self.stale = None
            if not isinstance(self.stale, dict):
                self.stale = {"pid": "?"}
            self.log(
                f"note: cleared a stale lock left by an earlier {self.what} "
                f"(process {self.stale.get('pid', '?')}, "
                f"started {self.stale.get('started', '?')}), which did not finish",
            )
        info = {
            "what": self.what,
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": " ".join(sys.argv)[:300],
        }
        os.ftruncate(fd, 0)
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, json.dumps(info).encode())
        self._fd = fd
        return self

    def release(self) -> None:
        """Empty the lock file and release the lock (nothing to do when it is not held)."""
        if self._fd is None:
            return
        try:
            os.ftruncate(self._fd, 0)  # an empty lock file: nobody holds it, nothing stale
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()
