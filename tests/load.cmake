# load tests (issue 14); filled in by their commits.
