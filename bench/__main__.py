"""Run every benchmark: `python -m bench` (or `make bench`)."""

from bench import bench_vault

if __name__ == "__main__":
    bench_vault.main()
