"""govstd inside other test suites: hypothesis strategies and the pytest plugin.

* :mod:`govstd.testing.strategies` — ``records(ref)`` and ``invalid_records(ref)``
  (needs ``hypothesis``);
* :mod:`govstd.testing.pytest_plugin` — the ``govstd`` fixture with ``assert_conforms``,
  loaded automatically by pytest through the ``pytest11`` entry point.

Nothing is imported here, so loading the plugin costs nothing until a test uses it.
"""
