"""Scoring from several Python threads at once: no deadlock (every thread finishes within a time
limit) and the same results as one thread alone."""

import threading

import raif

SPECS = [
    {"instruction_id_list": ["punctuation:no_comma", "length_constraints:number_words"],
     "kwargs": [{}, {"num_words": 4, "relation": "at least"}]},
    {"instruction_id_list": ["language:response_language"], "kwargs": [{"language": "en"}]},
    {"and": [{"constraint": "change_case:english_lowercase"}, {"constraint": "keywords:existence",
                                                               "kwargs": {"keywords": ["tea"]}}]},
]
TEXTS = ["<think>t</think><answer>i drink tea every morning</answer>",
         "<think>t</think><answer>Hello, world</answer>",
         "Ceci n'est pas une réponse en anglais.",
         "<think>t</think><answer>This is clearly written in English, with commas.</answer>"]


def _batch(k):
    n = 300
    return [TEXTS[(i + k) % len(TEXTS)] for i in range(n)], [SPECS[(i * 7 + k) % len(SPECS)] for i in range(n)]


def test_concurrent_threads_same_results_no_deadlock():
    r = raif.RaifReward()
    expected = {k: r.score_batch(_batch(k)[0], specs=_batch(k)[1], verdicts=True) for k in range(6)}
    expected_ifeval = raif.evaluate_ifeval(["hello there friend"] * 50, [["punctuation:no_comma"]] * 50)
    got, errors = {}, []

    def work(k):
        try:
            for _ in range(3):
                texts, specs = _batch(k)
                got[k] = r.score_batch(texts, specs=specs, verdicts=True)
                assert raif.evaluate_ifeval(["hello there friend"] * 50, [["punctuation:no_comma"]] * 50,
                                            threads=2) == expected_ifeval
        except Exception as e:  # reported below, with the thread
            errors.append((k, e))

    threads = [threading.Thread(target=work, args=(k,), daemon=True) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a scoring thread did not finish (deadlock?)"
    assert errors == []
    assert got == expected


def test_gil_is_released_while_scoring():
    # While one thread scores a long batch, another Python thread keeps running.
    r = raif.RaifReward()
    texts, specs = _batch(0)
    ticks, done = [], threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(1)
            done.wait(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    for _ in range(20):
        r.score_batch(texts * 4, specs=specs * 4, threads=1)
    done.set()
    t.join()
    assert len(ticks) > 5
