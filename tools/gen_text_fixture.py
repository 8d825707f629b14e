#!/usr/bin/env python3
"""Generate tests/data/text_reference.json: what the reference Python implementations say about a
set of short, mixed, non-Latin, adversarial and random texts. The C++ tests compare raif's ports
against it (the GPT-4 responses are covered by the IFEval fixture in ../shared).

Reference versions are the ones that produced the IFEval fixture: Debian's python3-langdetect 1.0.9
(DetectorFactory.seed = 0) and python3-nltk 3.8 (untrained PunktSentenceTokenizer, NLTKWordTokenizer).
Usage: /usr/bin/python3 tools/gen_text_fixture.py [--gpt4 ../shared/ifeval/input_response_data_gpt4_20231107_145030.jsonl] > tests/data/text_reference.json
"""
import json, random, sys
import langdetect
from langdetect import DetectorFactory
from nltk.tokenize.punkt import PunktSentenceTokenizer
from nltk.tokenize import destructive

texts = ["Hello", "Привет", "Bonjour tout le monde", "Hola", "ciao", "HELLO WORLD", "hello world", "12345", "!!!", "",
 "http://example.com", "mail me at a.b@c.com please", "Das ist gut.", "これは日本語です", "한국어 문장입니다", "中文句子",
 "مرحبا بالعالم", "नमस्ते दुनिया", "Xin chào thế giới", "Tôi yêu Việt Nam", "Γειά σου κόσμε", "שלום עולם",
 "The quick brown fox. It jumps! Does it? Yes... Mr. Smith went to Washington. J. S. Bach wrote music.",
 "e.g. this is fine. 3. then that. U.S.A. is big. (Sent1.) Sent2. \"Quoted.\" Next one.",
 "Wait... what?! No -- never. ok.\n\nNew para. Another\n line. End", "ÉCOLE ÉTÉ", "naïve café résumé",
 "DON'T STOP ME NOW, I'M HAVING SUCH A GOOD TIME", "I cannot gimme gonna wanna do it 'tis true 'twas",
 "He said \"hello\" and 'bye' (really) [yes] {no} <ok> -- fine... A.B.C U.S. e.g. i.e. etc.",
 "Il était une fois. Ça va? Oui!", "Straße groß GROSS", "İstanbul'da yaşıyorum. Türkçe konuşuyorum.",
 "Ẫ Ẩ Ẵ ẵ ỹ", "ЗДРАВСТВУЙТЕ МИР", "Mixed English и русский текст together вместе", "a@b", "x" * 50,
 "Ünïcödé wörds everywhere", "Sentence one.Sentence two. sentence three.  Four?Five!", "'''quoted''' ``tick``",
 "see https://example.com/a?b=c&d=e#f and write to first.last@mail.example.org now",
 "Kỹ thuật số ngày càng phát triển", "ⅰ ⅱ Ⅲ ① ٣ ௧", "tab\tseparated\vvertical\fform", "\u00a0nbsp\u2003em\u3000ideo",
 "A. B. C. D.", "1. 2. 3. Go.", "... . . . --- ——", "\"'Hi,' he said.\" 'Bye.'", "(a.) [b.] {c.} d.) e.",
 ]
rnd = random.Random(7)
alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ .,!?;:'\"()[]{}-*\n\tàéîõüßçñÀÉЖжψΩअआক中日한@#/"
for i in range(500):
    n = rnd.choice([1, 2, 3, 5, 8, 13, 30, 80, 200])
    texts.append("".join(rnd.choice(alphabet) for _ in range(n)))

DetectorFactory.seed = 0
tok = PunktSentenceTokenizer()
tb = destructive.NLTKWordTokenizer()
out = []
for t in texts:
    try:
        lang = langdetect.detect(t)
    except langdetect.LangDetectException:
        lang = None
    spans = [list(s) for s in tok.span_tokenize(t)]
    words = [w for s in tok.tokenize(t) for w in tb.tokenize(s)]
    out.append({"text": t, "lang": lang, "spans": spans, "words": words})
json.dump({"generator": "tools/gen_text_fixture.py", "langdetect": "1.0.9", "nltk": "3.8", "cases": out},
          sys.stdout, ensure_ascii=True, indent=None)

# Second output (with --gpt4 PATH): langdetect's verdict on every official GPT-4 response, so tests
# can measure agreement on real model output without copying the responses.
if len(sys.argv) == 3 and sys.argv[1] == "--gpt4":
    labels = []
    for line in open(sys.argv[2], encoding="utf-8"):
        r = json.loads(line)["response"]
        try:
            labels.append(langdetect.detect(r))
        except langdetect.LangDetectException:
            labels.append(None)
    json.dump(labels, open("tests/data/langdetect_gpt4.json", "w"))
