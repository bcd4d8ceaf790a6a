"""``python -m govstd``."""

from govstd.cli.main import main

main()
