"""Render the same two-page letter with appeal and with typst, as single files
and as a batch of 1,000, and print ms per letter, file size and peak memory
side by side. Run through bench/compare-typst.sh, which installs typst.

Both use Liberation Serif from assets/fonts (typst without system fonts),
justified hyphenated text, A4. The typst source is made from appeal's own
text rendering of the letter, so both set the same words.
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


def time_appeal_single(runs=20):
    out = tempfile.mkdtemp()
    start = time.perf_counter()
    for i in range(runs):
        subprocess.run([APPEAL, "render", EXAMPLE, "-f", "pdf", "-o", f"{out}/{i}.pdf"], check=True, capture_output=True)
    elapsed = (time.perf_counter() - start) / runs
    return elapsed * 1000, os.path.getsize(f"{out}/0.pdf")


def time_appeal_batch(n):
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
    start = time.perf_counter()
    subprocess.run(["/usr/bin/time", "-f", "%M", "-o", f"{work}/rss", APPEAL, "batch", f"{work}/appeal.toml",
                    "--recipients", f"{work}/registry.toml", "-o", f"{work}/out", "-f", "pdf"],
                   check=True, capture_output=True)
    elapsed = time.perf_counter() - start
    size = os.path.getsize(f"{work}/out/r00000.pdf")
    peak = int(open(f"{work}/rss").read().split()[-1]) / 1024
    return elapsed * 1000 / n, size, peak


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

    # typst, its fastest mode: one compiler reused, each letter a new source.
    sources = [typst_source(letter.replace("Mr. Guy Ryder", f"Mr. Guy Ryder {i}"), "IndustriALL Global Union") for i in range(BATCH)]
    path = f"{out}/letter.typ"
    with open(path, "w") as f:
        f.write(sources[0])
    compiler = typst.Compiler(path, font_paths=[FONTS], ignore_system_fonts=True)
    start = time.perf_counter()
    for text in sources:
        with open(path, "w") as f:
            f.write(text)
        batch_pdf = compiler.compile()
    typst_batch = (time.perf_counter() - start) * 1000 / BATCH
    typst_peak = peak_mb(resource.RUSAGE_SELF)  # the Python process, typst inside it

    appeal_single, appeal_size = time_appeal_single()
    appeal_batch, appeal_batch_size, appeal_peak = time_appeal_batch(BATCH)

    print(f"{'':34} {'appeal':>12} {'typst':>12}")
    print(f"{'one letter, ms: appeal CLI cold run':34} {appeal_single:12.2f}")
    print(f"{'one letter, ms: typst fresh compile':34} {'':12} {typst_single:12.2f}")
    print(f"{f'batch of {BATCH}, ms per letter':34} {appeal_batch:12.3f} {typst_batch:12.3f}")
    print(f"{'PDF size, bytes (single)':34} {appeal_size:12d} {len(pdf):12d}")
    print(f"{'PDF size, bytes (batch letter)':34} {appeal_batch_size:12d} {len(batch_pdf):12d}")
    print(f"{'peak memory, MB':34} {appeal_peak:12.1f} {typst_peak:12.1f}")
    print(f"per letter in a batch, typst / appeal: {typst_batch / appeal_batch:.1f}x "
          "(appeal: the CLI on all cores, files written; typst: one reused compiler, in memory)")


if __name__ == "__main__":
    main()
