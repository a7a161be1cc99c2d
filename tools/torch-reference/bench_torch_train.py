"""The PyTorch side of the training-speed comparison (`levit-unet bench`'s trainStepSecondsB8).

One TransUNet training step of the OFFICIAL LeViT-UNet (apple1986/LeViT-UNet, imported unmodified from
its source files) on the CPU: forward in train mode, 0.5·CE + 0.5·TransUNet Dice loss, backward,
torch.optim.Adam(lr 1e-5, weight_decay 1e-4); batch 8, 1×224×224, 9 classes, float32. Prints the median
step time after one warm-up step and the peak RSS.

    python3 bench_torch_train.py --official DIR [--levit DIR] [--variant 128s|192|384] [--threads 2] [--batch 8] [--steps 3]

DIR holds LeViT-UNet-128s.py / -192.py / -384.py; --levit holds facebookresearch/LeViT's utils.py (which
they import; defaults to DIR). timm, ptflops, cv2 and matplotlib are replaced by import stand-ins, as for
the fixtures in ../shared/fixtures/official (they only provide trunc_normal_ and a decorator here).
No network, nothing written.
"""
import argparse
import importlib.util
import resource
import statistics
import sys
import time
import types

import torch
import torch.nn.functional as F


def stand_in(name, **attrs):
    module = types.ModuleType(name)
    module.__dict__.update(attrs)
    sys.modules[name] = module
    return module


def install_stand_ins():
    stand_in('timm')
    stand_in('timm.models')
    stand_in('timm.models.layers', activations=None)
    stand_in('timm.models.vision_transformer', trunc_normal_=torch.nn.init.trunc_normal_)
    stand_in('timm.models.registry', register_model=lambda f: f)
    stand_in('ptflops', get_model_complexity_info=None)
    for name in ('cv2', 'matplotlib', 'matplotlib.pyplot'):
        if name not in sys.modules:
            stand_in(name)


def transunet_dice_loss(logits, target, num_classes):
    """TransUNet's DiceLoss(softmax=True): every class incl. background, squared denominators, batch sums."""
    probabilities = torch.softmax(logits, dim=1)
    loss = 0.0
    for c in range(num_classes):
        t = (target == c).float()
        p = probabilities[:, c]
        loss = loss + 1 - (2 * (p * t).sum() + 1e-5) / ((p * p).sum() + (t * t).sum() + 1e-5)
    return loss / num_classes


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--official', required=True, help='folder with LeViT-UNet-<variant>.py')
    parser.add_argument('--levit', help="folder with facebookresearch/LeViT's utils.py (default: --official)")
    parser.add_argument('--variant', default='128s', choices=['128s', '192', '384'])
    parser.add_argument('--threads', type=int, default=2)
    parser.add_argument('--batch', type=int, default=8)
    parser.add_argument('--steps', type=int, default=3)
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    install_stand_ins()
    sys.path.insert(0, args.levit or args.official)
    path = f'{args.official}/LeViT-UNet-{args.variant}.py'
    spec = importlib.util.spec_from_file_location('levit_unet_official', path)
    official = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(official)
    torch.manual_seed(1)
    model = getattr(official, f'Build_LeViT_UNet_{args.variant}')(num_classes=9, pretrained=False)
    model.train()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-5, weight_decay=1e-4)
    images = torch.rand(args.batch, 1, 224, 224)
    labels = torch.randint(0, 9, (args.batch, 224, 224))

    seconds = []
    for step in range(args.steps + 1):
        start = time.perf_counter()
        logits = model(images)
        loss = 0.5 * F.cross_entropy(logits, labels) + 0.5 * transunet_dice_loss(logits, labels, 9)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if step > 0:
            seconds.append(time.perf_counter() - start)
    median = statistics.median(seconds)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f'LeViT-UNet-{args.variant} (official, PyTorch {torch.__version__}, {args.threads} threads): '
        f'training step at batch {args.batch}: {median:.2f} s ({median / args.batch:.3f} s/image), peak RSS {peak_mb:.0f} MB'
    )


if __name__ == '__main__':
    main()
