"""CSV import (issue #16 "Speed of the import", issue #18's 10M-row dry run): a Shopify customers export of
BENCH_IMPORT_ROWS rows (default 200,000, so that `make bench` stays short; the goal is set at 1,000,000:
`BENCH_IMPORT_ROWS=1000000 make bench`) through ImportService, as the app and `counterpart-admin import` run it.

The file has Shopify's 2023+ export columns (Customer ID, names, email, consent, the default address with its
country code and phone, the customer's phone, totals, a note, tags). Emails are spread over many domains as a
real shop's are (a few big providers and a long tail), phones are written the ways shops' customers type them
(international with spaces, with Excel's leading apostrophe, local numbers read in the row's country), so every
step runs: encoding check, layout, phone and email checks, duplicate detection, bulk writes, consents, source
ids and the search index.

Every measurement runs in a fresh process of its own (`python -m bench.bench_import --child MODE FILE`), which
prints its time and its own peak RSS: nothing the bench did before (writing the file, an earlier import) counts.

Prints figure lines (bench.report.figure: `NAME VALUE UNIT | goal …`):
- import_csv_1m: seconds for the real import of the big file (goal ≤ 120 s at 1M rows; at another size the
  name says the size, import_csv_200k by default, and the goal is scaled),
- import_5k_to_dry_run_ratio: a 5,000-row file's real import over its dry run (goal ≤ 1.3),
- import_dry_run_peak_rss: the dry run's peak memory (goal ≤ 300 MB); import_peak_rss: the real import's,
  which also holds the bulk page cache (256 MB by design, app.store.database.BULK_CACHE_KIB).
- with COUNTERPART_BENCH_10M=1 only (it takes a quarter of an hour and 1.5 GB of disk): import_10m_dry_run_rss,
  the peak memory of a dry run of 10,000,000 rows (goal ≤ 300 MB whatever the size), and its seconds.
"""

from __future__ import annotations

import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

from bench.report import figure, peak_rss_mb

HEADERS = [
    "Customer ID",
    "First Name",
    "Last Name",
    "Email",
    "Accepts Email Marketing",
    "Default Address Company",
    "Default Address Address1",
    "Default Address Address2",
    "Default Address City",
    "Default Address Province Code",
    "Default Address Country Code",
    "Default Address Zip",
    "Default Address Phone",
    "Phone",
    "Accepts SMS Marketing",
    "Total Spent",
    "Total Orders",
    "Note",
    "Tax Exempt",
    "Tags",
]

# country, province, city, given names, family names, and the ways its phones are typed (from 8 digits unique
# to the row): with the country code and spaces, with Excel's apostrophe, or local (read in the row's country)
_COUNTRIES: list[tuple[str, str, str, list[str], list[str], list[Callable[[str], str]]]] = [
    (
        "CL",
        "RM",
        "Santiago",
        ["Camila", "Matías", "Sofía", "Benjamín"],
        ["Rojas", "González", "Muñoz", "Díaz"],
        [lambda d: f"+56 9 {d[:4]} {d[4:]}", lambda d: f"9 {d[:4]} {d[4:]}", lambda d: f"'+569{d}"],
    ),
    (
        "ES",
        "M",
        "Madrid",
        ["José", "Lucía", "Álvaro", "Carmen"],
        ["Núñez", "García", "Pérez", "López"],
        [lambda d: f"'+346{d}", lambda d: f"6{d[:2]} {d[2:5]} {d[5:]}", lambda d: f"+34 6{d[:2]} {d[2:5]} {d[5:]}"],
    ),
    (
        "GB",
        "ENG",
        "London",
        ["Oliver", "Amelia", "Harry", "Isla"],
        ["Smith", "Jones", "Taylor", "Brown"],
        [lambda d: f"07{d[:3]} {d[3:]}0", lambda d: f"+44 7{d[:3]} {d[3:]}0", lambda d: f"'+447{d}0"],
    ),
    (
        "US",
        "NY",
        "New York",
        ["James", "Olivia", "Liam", "Emma"],
        ["Miller", "Davis", "Wilson", "Moore"],
        [lambda d: f"(2{d[:2]}) {d[2:5]}-{d[5:]}0", lambda d: f"+1 6{d[:2]}-{d[2:5]}-{d[5:]}0", lambda d: f"'+19{d}0"],
    ),
    (
        "DE",
        "BE",
        "Berlin",
        ["Lukas", "Mia", "Jonas", "Emma"],
        ["Müller", "Schmidt", "Weber", "Becker"],
        [lambda d: f"0151 {d}", lambda d: f"+49 151 {d}", lambda d: f"'+49151{d}"],
    ),
    (
        "FR",
        "IDF",
        "Paris",
        ["Léa", "Hugo", "Chloé", "Louis"],
        ["Martin", "Dubois", "Lefèvre", "Moreau"],
        [lambda d: f"06 {d[:2]} {d[2:4]} {d[4:6]} {d[6:]}", lambda d: f"+33 6 {d}"],
    ),
    (
        "PK",
        "PB",
        "Lahore",
        ["Ali", "Ayesha", "Hamza", "Fatima"],
        ["Khan", "Ahmed", "Malik", "Hussain"],
        [lambda d: f"03{d[:2]} {d[2:]}0", lambda d: f"+92 3{d[:2]} {d[2:]}0", lambda d: f"'+923{d}0"],
    ),
    (
        "TH",
        "10",
        "กรุงเทพมหานคร",
        ["สมชาย", "สุดา", "อนันต์", "มาลี"],
        ["ใจดี", "รักไทย", "ศรีสุข", "วงศ์ใหญ่"],
        [lambda d: f"08{d[0]}-{d[1:4]}-{d[4:]}", lambda d: f"+66 8{d}", lambda d: f"'+668{d}"],
    ),
    (
        "CN",
        "BJ",
        "北京",
        ["芳", "伟", "娜", "敏"],
        ["王", "李", "张", "刘"],
        [lambda d: f"'+86139{d}", lambda d: f"+86 139 {d[:4]} {d[4:]}"],
    ),
]
_PROVIDERS = [
    "gmail.com",
    "hotmail.com",
    "yahoo.com",
    "outlook.com",
    "icloud.com",
    "live.com",
    "gmx.de",
    "yahoo.es",
    "hotmail.co.uk",
    "orange.fr",
    "qq.com",
    "163.com",
]
_WORDS = ["flor", "casa", "north", "blue", "studio", "mail", "tienda", "haus", "atelier", "green", "kontor", "sol"]
_TLDS = ["com", "cl", "es", "co.uk", "de", "fr", "com.pk", "co.th", "cn", "net", "org"]
_TAGS = ["VIP", "wholesale", "newsletter", "walk-in", "online", "repeat", "mayorista", "Stammkunde"]


def _phone(rng: random.Random, formats: list[Callable[[str], str]], index: int) -> str:
    return rng.choice(formats)(f"{(index * 7919 + 1234567) % 10**8:08d}")  # unique per row below 10^8 rows


def _customer_phone(rng: random.Random, formats: list[Callable[[str], str]], index: int) -> str:
    """Shopify keeps a customer's own phone in E.164 and exports it behind Excel's apostrophe; customers
    imported into the shop from elsewhere keep what they had."""
    international = [f for f in formats if f("00000000").lstrip("'").startswith("+")]
    return _phone(rng, international if rng.random() < 0.85 else formats, index)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def write_csv(path: Path, count: int, seed: int = 16) -> None:
    """A Shopify customers export of `count` different people (no repeats: every row is imported)."""
    rng = random.Random(seed)
    domains = [f"{rng.choice(_WORDS)}{n}.{rng.choice(_TLDS)}" for n in range(20_000)]  # the long tail
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        for index in range(count):
            country, province, city, givens, families, formats = rng.choice(_COUNTRIES)
            given, family = rng.choice(givens), rng.choice(families)
            domain = rng.choice(_PROVIDERS) if rng.random() < 0.6 else rng.choice(domains)
            local = f"{given[:1]}{family}".lower() if given.isascii() else "customer"
            local = _ascii(local) if rng.random() < 0.98 else local  # a few keep their accents (SMTPUTF8)
            email = f"{local}.{index}@{domain}" if rng.random() < 0.95 else ""
            phone = _customer_phone(rng, formats, index) if rng.random() < 0.85 else ""
            delivery = _phone(rng, formats, index) if rng.random() < 0.4 else ""  # as typed at the checkout
            note = "Asked about delivery\nprefers mornings" if rng.random() < 0.1 else ""
            writer.writerow(
                [
                    f"'{6840000000000 + index}",
                    given,
                    family,
                    email,
                    rng.choice(("yes", "no")),
                    "Ferretería El Sol" if rng.random() < 0.05 else "",
                    f"Calle {index % 997} {index % 89}",
                    "",
                    city,
                    province,
                    country,
                    f"'{10000 + index % 89999}",
                    delivery,
                    phone,
                    rng.choice(("yes", "no", "")),
                    f"{rng.randint(0, 99999) / 100:.2f}",
                    str(rng.randint(0, 20)),
                    note,
                    "no",
                    ", ".join(rng.sample(_TAGS, rng.randint(0, 2))),
                ]
            )


def _child(mode: str, source: Path) -> None:
    """One measurement in this fresh process: a new vault, then the import (mode "run") or its dry run ("dry")."""
    import keyring
    import keyring.backends.fail

    from app.access.session import create_vault
    from app.crm.importing.service import ImportService
    from app.vault import kdf

    keyring.set_keyring(keyring.backends.fail.Keyring())
    with tempfile.TemporaryDirectory(dir=source.parent) as folder:
        session, _ = create_vault(Path(folder) / "bench.vault", "Bench", "bench-password", kdf_params=kdf.CHEAP)
        started, cpu = time.perf_counter(), time.process_time()
        report = ImportService(session).run(source, dry_run=mode == "dry")
        took, cpu = time.perf_counter() - started, time.process_time() - cpu
        session.vault.close()
    print(
        json.dumps(
            {
                "seconds": took,
                "cpu_seconds": cpu,
                "imported": report.imported,
                "skipped": report.skipped,
                "bad": report.bad_count,
                "consents": report.consents_stored,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def measure(mode: str, source: Path) -> dict[str, float]:
    """Run one import in its own process and return what it printed (time, counts, its own peak RSS)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_import", "--child", mode, str(source)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LANG": "C.UTF-8"},
    )
    if done.returncode != 0:
        raise RuntimeError(f"bench_import child failed: {done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _size_name(count: int) -> str:
    return (
        f"{count // 1_000_000}m" if count % 1_000_000 == 0 else f"{count // 1000}k" if count % 1000 == 0 else str(count)
    )


def main() -> None:
    count = int(os.environ.get("BENCH_IMPORT_ROWS", "200000"))
    with tempfile.TemporaryDirectory() as folder:
        small, big = Path(folder) / "customers_export_5k.csv", Path(folder) / "customers_export.csv"
        write_csv(small, 5000)
        rounds = [(measure("dry", small), measure("run", small)) for _ in range(3)]  # side by side, in turns
        assert all(dry["imported"] == real["imported"] == 5000 for dry, real in rounds), rounds
        ratios = [real["seconds"] / dry["seconds"] for dry, real in rounds]
        figure("import_5k_dry_run", statistics.median(dry["seconds"] for dry, _real in rounds), "s", digits=2)
        figure(
            "import_5k",
            statistics.median(real["seconds"] for _dry, real in rounds),
            "s",
            digits=2,
            floor="import_5k_dry_run",
            ratios=ratios,
        )
        figure("import_5k_to_dry_run_ratio", statistics.median(ratios), "x", digits=2, goal="<= 1.3 x")
        # the same in CPU seconds of the importing process: steadier on a shared machine, and without the wait
        # for the disk at the commit (synchronous = FULL)
        figure(
            "import_5k_to_dry_run_cpu_ratio",
            statistics.median(real["cpu_seconds"] / dry["cpu_seconds"] for dry, real in rounds),
            "x",
            digits=2,
        )

        write_csv(big, count)
        name = _size_name(count)
        dry = measure("dry", big)
        figure(f"import_csv_{name}_dry_run", dry["seconds"], "s")
        figure(f"import_csv_{name}_dry_run_cpu", dry["cpu_seconds"], "s")
        figure("import_dry_run_peak_rss", dry["peak_rss_mb"], "MB", digits=0, goal="<= 300 MB")
        real = measure("run", big)
        assert real["imported"] == count and not real["bad"], real
        figure(
            f"import_csv_{name}",
            real["seconds"],
            "s",
            goal=f"<= {120 * count / 1_000_000:.0f} s",
            floor=f"import_csv_{name}_dry_run",  # reading and checking every row: what the import adds writes to
            ratios=[real["seconds"] / dry["seconds"]],
        )
        figure(f"import_csv_{name}_cpu", real["cpu_seconds"], "s")
        figure("import_csv_rate", count / real["seconds"], "rows/s", digits=0)
        figure("import_csv_file", big.stat().st_size / 1e6, "MB", digits=0)
        figure("import_csv_consents", real["consents"], "records", digits=0)
        # the real import holds the bulk page cache (256 MB, app.store.database.BULK_CACHE_KIB) besides the rows
        figure("import_peak_rss", real["peak_rss_mb"], "MB", digits=0)
        big.unlink()
        if os.environ.get("COUNTERPART_BENCH_10M") == "1":
            huge = Path(folder) / "customers_export_10m.csv"
            write_csv(huge, 10_000_000)
            dry = measure("dry", huge)
            assert dry["imported"] == 10_000_000, dry
            figure("import_10m_dry_run", dry["seconds"], "s", digits=0)
            figure("import_10m_dry_run_rss", dry["peak_rss_mb"], "MB", digits=0, goal="<= 300 MB")


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _child(sys.argv[2], Path(sys.argv[3]))
    else:
        main()
