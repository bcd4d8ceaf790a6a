"""Versions of a standard: what changed between two, whether a release keeps its promise,
and moving records from one version to another.

See ``docs/versions.md``.
"""
