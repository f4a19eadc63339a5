from amem.bench.cli import main

raise SystemExit(main())
