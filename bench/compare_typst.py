"""Render the same two-page letter with appeal and with typst, as single files
and as a batch of 1,000, and print ms per letter, file size and peak memory
side by side. Run through bench/compare-typst.sh, which installs typst.

Both use Liberation Serif from assets/fonts (typst without system fonts),
justified hyphenated text, A4. The typst source is made from appeal's own
text rendering of the letter, so both set the same words; bench/ilo-letter.typ
is that source with the document's title, for the archival comparison: both
tagged, PDF/A-2b and PDF/UA-1 (appeal's default, typst's pdf_standards), and
both untagged (appeal's --pdf-standard none, typst's pdf_tags=False).
"""
import os
import re
import resource
import subprocess
import sys
import tempfile
import time

import typst

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
APPEAL = os.path.join(ROOT, "target", "release", "appeal")
EXAMPLE = os.path.join(ROOT, "examples", "ilo-belarus-2021", "appeal.toml")
FONTS = os.path.join(ROOT, "assets", "fonts")
TYPST_LETTER = os.path.join(ROOT, "bench", "ilo-letter.typ")
BATCH = int(sys.argv[1]) if len(sys.argv) > 1 else 1000


def escape(text):
    return re.sub(r'([#$*_`<>@\[\]\\/"~=-])', r"\\\1", text)


def typst_source(letter_text, name):
    """The letter as typst markup: frame lines as lines, paragraphs as paragraphs."""
    blocks = [b.strip() for b in letter_text.split("\n\n") if b.strip()]
    body = []
    for block in blocks:
        lines = block.split("\n")
        if len(lines) > 1 and max(len(l) for l in lines) < 50:
            body.append(" \\\n".join(escape(l) for l in lines))
        else:
            body.append(escape(" ".join(lines)))
    return (
        '#set page(paper: "a4", margin: (left: 25mm, right: 20mm, top: 18mm, bottom: 22mm))\n'
        '#set text(font: "Liberation Serif", size: 11pt, lang: "en", hyphenate: true)\n'
        "#set par(justify: true, leading: 0.55em, spacing: 0.9em)\n"
        f"*{escape(name)}*\n\n" + "\n\n".join(body) + "\n"
    )


def peak_mb(who):
    usage = resource.getrusage(who)
    return usage.ru_maxrss / 1024


def time_appeal_single(runs=20, standard="archival"):
    out = tempfile.mkdtemp()
    start = time.perf_counter()
    for i in range(runs):
        subprocess.run([APPEAL, "render", EXAMPLE, "-f", "pdf", "--pdf-standard", standard,
                        "-o", f"{out}/{i}.pdf"], check=True, capture_output=True)
    elapsed = (time.perf_counter() - start) / runs
    return elapsed * 1000, os.path.getsize(f"{out}/0.pdf")


def time_appeal_batch(n, jobs=None):
    """Wall ms per letter, CPU ms per letter, size of one file, peak MB."""
    work = tempfile.mkdtemp(dir="/dev/shm" if os.path.isdir("/dev/shm") else None)
    with open(f"{work}/registry.toml", "w") as f:
        for i in range(n):
            f.write(f'[[recipient]]\nid = "r{i:05}"\nhonorific = "Mr."\nname = "Guy Ryder {i}"\n'
                    f'title = "Director-General"\norganisation = "International Labour Office (ILO)"\n'
                    f'email = "r{i}@example.org"\nlanguage = "en"\ntags = ["cmp"]\n\n')
    example = open(EXAMPLE).read()
    example = example.replace('recipients = ["ilo-dg"]', 'recipients = ["tag:cmp"]')
    example = example[: example.index("[[recipient]]")] + example[example.index("[[incident]]"):]
    with open(f"{work}/appeal.toml", "w") as f:
        f.write(example)
    command = [APPEAL, "batch", f"{work}/appeal.toml", "--recipients", f"{work}/registry.toml",
               "-o", f"{work}/out", "-f", "pdf"] + (["--jobs", str(jobs)] if jobs else [])
    start = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-f", "%U %S %M", "-o", f"{work}/time"] + command,
                   check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    size = os.path.getsize(f"{work}/out/r00000.pdf")
    user, system, peak = open(f"{work}/time").read().split()[-3:]
    subprocess.run(["rm", "-rf", work], check=True)
    return elapsed * 1000 / n, (float(user) + float(system)) * 1000 / n, size, int(peak) / 1024


def time_typst_file(runs=20, **options):
    """ms per fresh compile of bench/ilo-letter.typ, and the PDF's size."""
    source = open(TYPST_LETTER, "rb").read()
    start = time.perf_counter()
    for _ in range(runs):
        pdf = typst.compile(source, font_paths=[FONTS], ignore_system_fonts=True, **options)
    return (time.perf_counter() - start) * 1000 / runs, len(pdf)


def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main():
    letter = subprocess.run([APPEAL, "render", EXAMPLE], check=True, capture_output=True, text=True).stdout
    out = tempfile.mkdtemp()

    # typst, one letter, a fresh compile each time (as a CLI run would).
    source = typst_source(letter, "IndustriALL Global Union")
    runs = 20
    start = time.perf_counter()
    for i in range(runs):
        pdf = typst.compile(source.encode(), font_paths=[FONTS], ignore_system_fonts=True)
    typst_single = (time.perf_counter() - start) * 1000 / runs
    with open(f"{out}/typst.pdf", "wb") as f:
        f.write(pdf)

    # typst, its fastest mode: one compiler reused, each letter a new source
    # (typst memoises what did not change), PDFs kept in memory.
    sources = [typst_source(letter.replace("Mr. Guy Ryder", f"Mr. Guy Ryder {i}"), "IndustriALL Global Union") for i in range(BATCH)]
    path = f"{out}/letter.typ"
    with open(path, "w") as f:
        f.write(sources[0])
    compiler = typst.Compiler(path, font_paths=[FONTS], ignore_system_fonts=True)
    start, cpu = time.perf_counter(), cpu_seconds()
    for text in sources:
        with open(path, "w") as f:
            f.write(text)
        batch_pdf = compiler.compile()
    typst_batch = (time.perf_counter() - start) * 1000 / BATCH
    typst_cpu = (cpu_seconds() - cpu) * 1000 / BATCH
    typst_peak = peak_mb(resource.RUSAGE_SELF)  # the Python process, typst inside it

    appeal_single, appeal_size = time_appeal_single()
    appeal_untagged, appeal_untagged_size = time_appeal_single(standard="none")
    typst_archival, typst_archival_size = time_typst_file(pdf_standards=["a-2b", "ua-1"])
    typst_untagged, typst_untagged_size = time_typst_file(pdf_tags=False)
    appeal_batch, appeal_cpu, appeal_batch_size, appeal_peak = time_appeal_batch(BATCH)
    appeal_one_thread, _, _, _ = time_appeal_batch(BATCH, jobs=1)

    rows = [
        ("one letter, ms (cold CLI run / fresh compile)", f"{appeal_single:.2f}", f"{typst_single:.2f}"),
        (f"batch of {BATCH}: wall ms per letter", f"{appeal_batch:.3f}", f"{typst_batch:.3f}"),
        (f"batch of {BATCH}: CPU ms per letter", f"{appeal_cpu:.3f}", f"{typst_cpu:.3f}"),
        (f"batch of {BATCH}: wall ms per letter, 1 thread", f"{appeal_one_thread:.3f}", ""),
        ("PDF size, bytes (one letter)", f"{appeal_size}", f"{len(pdf)}"),
        ("tagged, PDF/A-2b + UA-1: one letter, ms", f"{appeal_single:.2f}", f"{typst_archival:.2f}"),
        ("tagged, PDF/A-2b + UA-1: size, bytes", f"{appeal_size}", f"{typst_archival_size}"),
        ("untagged: one letter, ms", f"{appeal_untagged:.2f}", f"{typst_untagged:.2f}"),
        ("untagged: size, bytes", f"{appeal_untagged_size}", f"{typst_untagged_size}"),
        ("PDF size, bytes (letter of the batch)", f"{appeal_batch_size}", f"{len(batch_pdf)}"),
        ("peak memory of the batch, MB", f"{appeal_peak:.1f}", f"{typst_peak:.1f}"),
    ]
    print(f"{'':48} {'appeal':>10} {'typst':>10}")
    for name, a, t in rows:
        print(f"{name:48} {a:>10} {t:>10}")
    print(f"typst / appeal per letter in a batch: {typst_batch / appeal_batch:.1f}x wall "
          f"(appeal: the CLI on all {os.cpu_count()} cores, files written; typst: one reused compiler, "
          f"in memory), {typst_cpu / appeal_cpu:.1f}x CPU time")


if __name__ == "__main__":
    main()
