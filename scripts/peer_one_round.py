"""Diagnostic: one federated round in plain PyTorch (the arithmetic of ../shared/peer/torch_floor.py and
pfl_lm.py, no DP) from given weights and user order, compared tensor by tensor with a Murmur export after
that round, and each user's local update compared alone.

Usage: VENV/bin/python scripts/peer_one_round.py TRAIN_DIR INIT.safetensors ORDER.txt MURMUR_ROUND1.safetensors
           [--cohort 50] [--single-bias]
       VENV/bin/python scripts/peer_one_round.py TRAIN_DIR INIT.safetensors ORDER.txt - --rounds 50 --val VAL_DIR
           [--single-bias]   (the whole curve: validation perplexity every 10 rounds, one JSON line each)
Prints, per tensor, max |torch - murmur| and the largest step of the round (so the relative size is visible);
a Murmur export with a non-zero bias_hh_l0 (a run with model.lstmBiases 2) is compared tensor by tensor, one with
a single bias (bias_hh_l0 zero) by the sum of the two biases.
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
     if os.path.isdir(p)), "../shared/peer")
sys.path.insert(0, os.path.abspath(PEER))
import pfl_lm  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("train"); ap.add_argument("init"); ap.add_argument("order"); ap.add_argument("murmur")
    ap.add_argument("--cohort", type=int, default=50)
    ap.add_argument("--local-lr", type=float, default=0.3)
    ap.add_argument("--central-lr", type=float, default=0.05)
    ap.add_argument("--central", choices=["adam", "none"], default="adam",
                    help="none: compare the averaged update itself (Murmur run with server fedavg, lr 1)")
    ap.add_argument("--single-bias", action="store_true",
                    help="freeze _lstm.bias_hh_l0 (Murmur's one LSTM bias): torch.nn.LSTM's two biases are each "
                         "trained, so their sum moves twice as fast as one bias would")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--val", default=None)
    a = ap.parse_args()
    torch.set_num_threads(1)
    V, train = pfl_lm.load_folder(a.train, 20, 64)
    order = [l.strip() for l in open(a.order) if l.strip()]
    net = pfl_lm.LMLSTM(V)
    net.load_state_dict(pfl_lm.read_safetensors(a.init))
    if a.single_bias:
        net._lstm.bias_hh_l0.requires_grad_(False)
    params = dict(net.named_parameters())
    local = torch.optim.SGD(list(params.values()), a.local_lr)
    central = torch.optim.Adam(list(params.values()), a.central_lr, eps=0.01, betas=(0.9, 0.99))
    if a.val:
        _, val = pfl_lm.load_folder(a.val, 20, 64)
        vx = torch.from_numpy(np.concatenate([u[0] for u in val.values()]))
        vy = torch.from_numpy(np.concatenate([u[1] for u in val.values()]))
    pos = 0
    for r in range(1, a.rounds + 1):
        start = {k: p.detach().clone() for k, p in params.items()}
        total = {k: torch.zeros_like(p) for k, p in params.items()}
        ids = [order[(pos + i) % len(order)] for i in range(a.cohort)]
        pos += a.cohort
        for uid in ids:
            x, y = (torch.from_numpy(t) for t in train[uid])
            with torch.no_grad():
                for k, p in params.items(): p.copy_(start[k])
            for i in range(0, len(x), 16):
                local.zero_grad(set_to_none=True)
                net.loss(x[i:i + 16], y[i:i + 16]).backward()
                local.step()
            with torch.no_grad():
                for k, p in params.items(): total[k] += p - start[k]
        with torch.no_grad():
            for k, p in params.items(): p.copy_(start[k])
            if a.central == "adam":
                for k, p in params.items(): p.grad = -total[k] / len(ids)
                central.step()
            else:
                for k, p in params.items(): p += total[k] / len(ids)
        if a.val and (r % 10 == 0 or r == a.rounds):
            with torch.no_grad():
                nll, n = 0.0, 0
                for s0 in range(0, len(vx), 256):
                    t = vy[s0:s0 + 256].reshape(-1)
                    nll += F.cross_entropy(net(vx[s0:s0 + 256]).reshape(-1, V), t, ignore_index=0, reduction="sum").item()
                    n += int((t != 0).sum())
            print(json.dumps({"round": r, "val_ppl": round(math.exp(nll / n), 2), "single_bias": a.single_bias}), flush=True)
    if a.murmur == "-":
        return
    murmur = pfl_lm.read_safetensors(a.murmur)
    if bool((murmur["_lstm.bias_hh_l0"] != 0).any()):  # a Murmur run with model.lstmBiases 2: tensor by tensor
        for k, p in net.state_dict().items():
            print(f"{k:24s} max|torch-murmur| {float((p - murmur[k]).abs().max()):.3e}   "
                  f"max|step| {float((p - start[k]).abs().max()):.3e}")
        return
    for k, p in net.state_dict().items():
        m = murmur[k] if k != "_lstm.bias_ih_l0" else murmur[k] + murmur["_lstm.bias_hh_l0"]
        t = p if k != "_lstm.bias_ih_l0" else p + net.state_dict()["_lstm.bias_hh_l0"]
        if k == "_lstm.bias_hh_l0": continue
        step = (t - start[k] if k != "_lstm.bias_ih_l0" else t - start[k] - start["_lstm.bias_hh_l0"])
        print(f"{k:24s} max|torch-murmur| {float((t - m).abs().max()):.3e}   max|step| {float(step.abs().max()):.3e}")


if __name__ == "__main__":
    main()
