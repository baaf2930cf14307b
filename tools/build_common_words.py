"""Build ``pipeline/data/common_words.txt``: the most frequent English words, lower-case.

    pip install wordfreq==3.1.1
    python tools/build_common_words.py 10000 > pipeline/data/common_words.txt

The tagger uses the list to read headlines written in title case or capitals ("Suicide Bomber
Kills 7 In Baghdad Market"): a capitalised word that is a common English word, and not part of
a known name, is read in lower case. wordfreq (Apache-2.0, https://github.com/rspeer/wordfreq)
is needed only to build the file; its word frequency data is CC BY-SA 4.0, and the output keeps
that licence and attribution.
"""

from __future__ import annotations

import sys


def main(count: int) -> int:
    import wordfreq

    words = [w for w in wordfreq.top_n_list("en", count) if w.isascii() and w.isalpha() and len(w) > 1]
    print(f"# The {count} most frequent English words of wordfreq 3.1.1 (alphabetic, two letters or more),")
    print("# by tools/build_common_words.py. Data: wordfreq (https://github.com/rspeer/wordfreq),")
    print("# from Wikipedia, OpenSubtitles, news and other sources; CC BY-SA 4.0.")
    for word in sorted(set(words)):
        print(word)
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000))
