"""PyTorch float32 on the train-128s float64 oracle: what a correct float32 run lands at on THIS machine.

The fixture README (../shared/fixtures/official/train-128s) gives PyTorch float32's distance from the
float64 references as measured where the fixture was made. Single elements of a training step are
chaotic in float32, so that distance depends on the CPU's kernels (AVX-512 vs AVX2 blocking changes
summation order). This script reruns the same recipe (official model, imported unmodified; the
fixture's initial weights and four slices; two steps, batch 2, no augmentation) in float32 here and
prints the same measures as packages/training/test/fidelity-measures.ts, so the fidelity tests' bounds
can be checked against PyTorch on the same hardware.

    python3 fidelity_torch_float32.py --official DIR [--levit DIR] [--fixture DIR] [--optimizer sgd|adam] [--threads 2]

No network, nothing written.
"""
import argparse
import gzip
import importlib.util
import io
import json
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F

from bench_torch_train import install_stand_ins, transunet_dice_loss


def relative(got, ref):
    return abs(got - ref) / abs(ref)


def quantiles(values):
    s = sorted(values)
    at = lambda q: s[min(len(s) - 1, int(math.floor(q * (len(s) - 1) + 0.5)))]
    return {'median': at(0.5), 'p90': at(0.9), 'max': s[-1]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--official', required=True, help='folder with LeViT-UNet-128s.py')
    parser.add_argument('--levit', help="folder with facebookresearch/LeViT's utils.py (default: --official)")
    parser.add_argument('--fixture', default='../shared/fixtures/official/train-128s')
    parser.add_argument('--optimizer', default='sgd', choices=['sgd', 'adam'])
    parser.add_argument('--threads', type=int, default=2)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    install_stand_ins()
    sys.path.insert(0, args.levit or args.official)
    spec = importlib.util.spec_from_file_location('levit_unet_official', f'{args.official}/LeViT-UNet-128s.py')
    official = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(official)
    model = official.Build_LeViT_UNet_128s(num_classes=9, pretrained=False)
    with gzip.open(f'{args.fixture}/init_state_dict.pth.gz', 'rb') as f:
        state = torch.load(io.BytesIO(f.read()), map_location='cpu')
    model.load_state_dict({k: v.float() if v.is_floating_point() else v for k, v in state.items()})
    model.train()
    ref = json.load(open(f'{args.fixture}/{args.optimizer}/train_ref.json'))
    params = dict(model.named_parameters())
    if args.optimizer == 'sgd':
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-3, momentum=0.9, weight_decay=1e-4)
    else:
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-4)
    names = open(f'{args.fixture}/data/lists_Synapse/train.txt').read().split()
    slices = [np.load(f'{args.fixture}/data/train_npz/{n}.npz') for n in names]
    initial = {k: v.detach().clone() for k, v in model.state_dict().items()}

    losses, grad_norms = [], {}
    for step in range(2):
        batch = slices[2 * step:2 * step + 2]
        x = torch.from_numpy(np.stack([s['image'] for s in batch])[:, None].astype(np.float32))
        y = torch.from_numpy(np.stack([s['label'] for s in batch]).astype(np.int64))
        logits = model(x)
        ce = F.cross_entropy(logits, y)
        dice = transunet_dice_loss(logits, y, 9)
        loss = 0.5 * ce + 0.5 * dice
        optimizer.zero_grad()
        loss.backward()
        if step == 0:
            grad_norms = {k: p.grad.norm().item() if p.grad is not None else 0.0 for k, p in params.items()}
        optimizer.step()
        losses.append(loss.item())

    final = model.state_dict()
    trainable = list(ref['grad_norm_step1'])
    delta_norms, sn, sd, bn, bd, per_tensor = [], 0.0, 0.0, 0.0, 0.0, []
    for key in trainable:
        d = ref['tensors'][key]['delta']
        a = (final[key].double() - initial[key].double()).flatten()
        norm = a.norm().item()
        ref_norm = math.sqrt(d['sumsq'])
        delta_norms.append(relative(norm, ref_norm))
        bn += (norm - ref_norm) ** 2
        bd += d['sumsq']
        got = a[torch.tensor(d['idx'])].numpy()
        num = float(((got - np.array(d['val'])) ** 2).sum())
        sn += num
        sd += float((np.array(d['val']) ** 2).sum())
        per_tensor.append((key, num))
    per_tensor.sort(key=lambda t: -t[1])
    print(json.dumps({
        'torch': torch.__version__,
        'threads': args.threads,
        'optimizer': args.optimizer,
        'cpu_capability': torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, 'cpu') else None,
        'lossRelative': [relative(l, r['loss']) for l, r in zip(losses, ref['per_step'])],
        'gradNormRelative': quantiles([relative(grad_norms[k], ref['grad_norm_step1'][k]) for k in trainable if ref['grad_norm_step1'][k] != 0]),
        'deltaNormRelative': quantiles(delta_norms),
        'sampledDelta': math.sqrt(sn / sd),
        'wholeTensorLowerBound': math.sqrt(bn / bd),
        'worstSampled': per_tensor[:3],
    }))


if __name__ == '__main__':
    main()
