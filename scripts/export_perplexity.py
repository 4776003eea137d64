"""Benchmark: a Murmur export loads into pfl-research's LMLSTM and scores the same held-out perplexity.

Usage:
  VENV/bin/python scripts/export_perplexity.py RUN_FOLDER MODEL.safetensors VAL_DIR [--tolerance 1e-4]

RUN_FOLDER is a finished `murmur run` of an LSTM scenario on federated text files (e.g. the peer's
../shared/peer/murmur_peer.json); MODEL.safetensors is `murmur export RUN_FOLDER --format safetensors --out F`;
VAL_DIR is the scenario's validationPath. The script builds ../shared/peer/pfl_lm.py's LMLSTM (the class
pfl-research's benchmarks/lm uses), calls `load_state_dict` on the file as it is (strict: every name and
shape must match), scores the validation users exactly as pfl_lm.py does (rows of 20, <= 64 sentences a
user, <pad> ignored, sum NLL / tokens), and compares exp(that) with the validationPerplexity of the run's
last metrics line. It prints one JSON line and exits 1 when the relative difference exceeds --tolerance.
(Python appears only here, in a benchmark script, never in Murmur or its tests.)
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
PEER = os.environ.get("MURMUR_PEER") or next(
    (p for p in (os.path.join(HERE, "..", "..", "shared", "peer"), os.path.join(HERE, "..", "..", "..", "shared", "peer"))
     if os.path.isdir(p)), "../shared/peer")   # the repository's ../shared/peer, or a worktree's
sys.path.insert(0, os.path.abspath(PEER))
import pfl_lm  # noqa: E402  (the peer's LMLSTM, loader and safetensors reader)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("model")
    ap.add_argument("val")
    ap.add_argument("--tolerance", type=float, default=1e-4)
    ap.add_argument("--round", type=int, default=None,
                    help="compare with this round's evaluation (default: the last); e.g. 0 with the weights a run started from")
    ap.add_argument("--seq-len", type=int, default=20)
    ap.add_argument("--max-sentences", type=int, default=64)
    a = ap.parse_args()
    torch.set_num_threads(2)

    state = pfl_lm.read_safetensors(a.model)
    V, E = state["_embeddings.weight"].shape
    H = state["_lstm.weight_hh_l0"].shape[1]
    net = pfl_lm.LMLSTM(V, E, H)
    net.load_state_dict(state, strict=True)
    net.eval()

    V_val, users = pfl_lm.load_folder(a.val, a.seq_len, a.max_sentences)
    assert V_val == V, (V_val, V)
    x = torch.from_numpy(np.concatenate([u[0] for u in users.values()]))
    y = torch.from_numpy(np.concatenate([u[1] for u in users.values()]))
    nll, n = 0.0, 0
    with torch.no_grad():
        for s in range(0, len(x), 256):
            logits = net(x[s:s + 256])
            t = y[s:s + 256].reshape(-1)
            nll += F.cross_entropy(logits.reshape(-1, V).double(), t, ignore_index=pfl_lm.PAD, reduction="sum").item()
            n += int((t != pfl_lm.PAD).sum())
    torch_ppl = math.exp(nll / n)

    murmur_ppl = None
    for line in open(os.path.join(a.run, "metrics.jsonl")):
        d = json.loads(line)
        if d.get("validationPerplexity") is not None and (a.round is None or d["round"] == a.round):
            murmur_ppl, murmur_round = d["validationPerplexity"], d["round"]
    rel = abs(torch_ppl - murmur_ppl) / murmur_ppl
    print(json.dumps({"round": murmur_round, "murmur_ppl": murmur_ppl, "torch_ppl": round(torch_ppl, 6),
                      "relative_difference": rel, "tokens": n, "rows": int(len(x)), "tolerance": a.tolerance,
                      "ok": rel <= a.tolerance}))
    sys.exit(0 if rel <= a.tolerance else 1)


if __name__ == "__main__":
    main()
