import sys

from pipeline.evaluation.report import main

sys.exit(main())
