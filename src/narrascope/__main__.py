from narrascope.cli import main

raise SystemExit(main())
