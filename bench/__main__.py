"""Run every benchmark: `python -m bench` (or `make bench`). BENCH_CONTACTS=N sets the CRM and sweep size
(default 1,000,000); `python -m bench.readme_table` turns the output into the README's performance table."""

from bench import bench_crm, bench_import, bench_startup, bench_subject_export, bench_sweep, bench_vault

if __name__ == "__main__":
    bench_startup.main()  # first: fresh processes, timed before the heavy benchmarks load the machine
    bench_vault.main()
    bench_subject_export.main()
    bench_crm.main()
    bench_import.main()
    bench_sweep.main()
