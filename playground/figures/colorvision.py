"""Colour-vision deficiency simulation and colour difference, to check that a map's colours
stay apart for viewers with protanopia, deuteranopia or tritanopia.

Simulation: Machado, Oliveira & Fernandes (2009), "A Physiologically-based Model for
Simulation of Color Vision Deficiency", IEEE TVCG 15(6), the severity-1.0 matrices, applied
to linear RGB (sRGB decoded, multiplied, clipped, encoded). Difference: CIE76 ΔE*ab (the
Euclidean distance in CIE L*a*b*, D65 white): about 2.3 is just noticeable, and colours
10 or more apart are told apart at a glance.
"""

from __future__ import annotations

import numpy as np

MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
_SRGB_TO_XYZ = np.array([[0.4124, 0.3576, 0.1805],
                         [0.2126, 0.7152, 0.0722],
                         [0.0193, 0.1192, 0.9505]])
_D65 = np.array([0.95047, 1.0, 1.08883])


def to_linear(rgb):
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_srgb(linear):
    c = np.clip(linear, 0.0, 1.0)
    return 255.0 * np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def simulate(rgb, deficiency):
    """sRGB colours (..., 3), 0–255, as seen with ``deficiency`` (a key of MACHADO), uint8."""
    seen = to_linear(rgb) @ MACHADO[deficiency].T
    return np.rint(to_srgb(seen)).astype(np.uint8)


def to_lab(rgb):
    """CIE L*a*b* (D65) of sRGB colours (..., 3), 0–255."""
    xyz = to_linear(rgb) @ _SRGB_TO_XYZ.T / _D65
    eps = (6 / 29) ** 3
    f = np.where(xyz > eps, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], axis=-1)


def min_delta_e(colors) -> float:
    """The smallest CIE76 ΔE*ab between any two of ``colors`` (n, 3), sRGB 0–255."""
    lab = to_lab(np.asarray(colors))
    d = np.linalg.norm(lab[:, None, :] - lab[None, :, :], axis=-1)
    return float(d[np.triu_indices(len(lab), k=1)].min())
