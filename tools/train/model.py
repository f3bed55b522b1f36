"""The needle detector network: an NPR-style residual front end and a small strided CNN.

Kept in one file so training, export and the model card describe the same network.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F


class BlockResidualConv(nn.Module):
    """A 2x2, stride-2 convolution over the NPR residual x - NNup(NNdown(x)).

    The residual of a 2x2 block is each pixel minus the block's top-left pixel: up-sampling layers
    of generators leave correlations between neighbouring pixels that it exposes (Tan et al., NPR,
    CVPR 2024). A 2x2/stride-2 convolution of that residual is itself a convolution of the image
    whose four taps sum to zero per channel, so the residual is never materialised: the graph holds
    one plain Conv, and computing the residual separately cost 24 ms per megapixel in OpenCV DNN.
    """

    def __init__(self, cin, cout):
        super().__init__()
        self.weight = nn.Parameter(torch.randn(cout, cin, 2, 2) * (2.0 / (cin * 3)) ** 0.5)
        mask = torch.ones(1, 1, 2, 2)
        mask[..., 0, 0] = 0.0
        self.register_buffer("mask", mask)

    def effective_weight(self):
        w = self.weight * self.mask
        return w - w.sum((2, 3), keepdim=True) * (1.0 - self.mask)

    def forward(self, x):
        return F.conv2d(x, self.effective_weight(), stride=2)

    def as_conv(self):
        conv = nn.Conv2d(self.weight.shape[1], self.weight.shape[0], 2, stride=2, bias=False)
        conv.weight.data.copy_(self.effective_weight().detach())
        return conv


def block(cin, cout, k, stride):
    return nn.Sequential(
        nn.Conv2d(cin, cout, k, stride=stride, padding=(k - 1) // 2, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class Detector(nn.Module):
    """Fully convolutional; one logit per input tile (global average pooling at the end).

    Input: RGB in [0, 1], NCHW, any size with even sides. Channel widths give ~1.0k multiply-adds
    per input pixel: OpenCV DNN runs ~30 GFLOP/s on one core of the project machine and a 1 MP
    image must stay within 60 ms (measured ~45-50 ms; a 2.9k MAC/pixel variant, widths 24..384, took 165 ms).
    """

    VERSION = "needle-detector-v1"

    def __init__(self, widths=(16, 24, 48, 96, 256), embed=512):
        super().__init__()
        self.stem = BlockResidualConv(3, widths[0])
        layers = [nn.BatchNorm2d(widths[0]), nn.ReLU(inplace=True)]
        for cin, cout in zip(widths[:-1], widths[1:]):
            layers.append(block(cin, cout, 3, 2))
        layers.append(block(widths[-1], embed, 1, 1))
        self.features = nn.Sequential(*layers)
        self.head = nn.Conv2d(embed, 1, 1)

    def forward(self, x):
        f = self.features(self.stem(x))
        f = F.adaptive_avg_pool2d(f, 1)
        return self.head(f).flatten(1)

    def for_export(self):
        """A copy whose stem is a plain Conv, for ONNX export."""
        import copy
        m = copy.deepcopy(self).eval()
        m.stem = self.stem.as_conv()
        return m


def count_parameters(model):
    return sum(p.numel() for p in model.parameters())
