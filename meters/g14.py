"""ASHRAE Guideline 14 statistics of a simulation against measurements: NMBE and CV(RMSE).

ASHRAE Guideline 14-2014, *Measurement of Energy, Demand, and Water Savings*, judges a calibrated
simulation by two statistics of the residuals ``m_i - s_i`` (measured minus simulated) over ``n`` periods::

    NMBE     = sum(m_i - s_i) / ((n - p) * mean(m))
    CV(RMSE) = sqrt(sum((m_i - s_i)^2) / (n - p)) / mean(m)

with ``p`` the degrees of freedom taken by the model. Guideline 14 uses ``p = 1`` for a calibrated
simulation (the simulation's parameters are not counted as a regression's would be), and so does this
module (:data:`DOF`). A positive NMBE is a simulation that reads low. The limits a calibrated model must
meet (:data:`LIMITS`): monthly data within NMBE +-5 % and CV(RMSE) 15 %, hourly data within +-10 % and 30 %.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DOF = 1
"""``p`` of Guideline 14's ``n - p``: 1 for a calibrated simulation."""

LIMITS = {"monthly": (0.05, 0.15), "hourly": (0.10, 0.30)}
"""Guideline 14's limits on |NMBE| and CV(RMSE) [-] by resolution of the data."""


@dataclass(frozen=True)
class Fit:
    """Guideline 14 statistics of one meter at one resolution.

    Parameters
    ----------
    nmbe : float
        Normalised mean bias error [-], measured minus simulated.
    cv_rmse : float
        Coefficient of variation of the root-mean-square error [-].
    n : int
        Periods compared (hours or months with a measurement).
    resolution : str
        ``hourly`` or ``monthly``: which limits apply.
    """

    nmbe: float
    cv_rmse: float
    n: int
    resolution: str

    @property
    def passes(self) -> bool:
        """Whether both statistics are within Guideline 14's limits for the resolution."""
        nmbe_max, cv_max = LIMITS[self.resolution]
        return bool(abs(self.nmbe) <= nmbe_max and self.cv_rmse <= cv_max)

    def as_dict(self) -> dict:
        """The statistics and the verdict, for a JSON report.

        Returns
        -------
        dict
            ``nmbe``, ``cv_rmse`` [-], ``n``, ``resolution``, ``limits`` (|NMBE|, CV(RMSE)) and ``passes``.
        """
        return {
            "nmbe": self.nmbe,
            "cv_rmse": self.cv_rmse,
            "n": self.n,
            "resolution": self.resolution,
            "limits": list(LIMITS[self.resolution]),
            "passes": self.passes,
        }


def g14(measured: np.ndarray, simulated: np.ndarray, resolution: str) -> Fit:
    """NMBE and CV(RMSE) of a simulation against measurements (Guideline 14, ``p`` = :data:`DOF`).

    Periods where either value is missing (NaN) are left out.

    Parameters
    ----------
    measured : array_like
        Measured values of each period [any unit, the same as ``simulated``].
    simulated : array_like
        Simulated values of the same periods.
    resolution : {"hourly", "monthly"}
        The periods' length, which sets the limits.

    Returns
    -------
    Fit
        The statistics; NaN when fewer than ``p + 1`` periods are compared or the measured mean is zero.
    """
    m = np.asarray(measured, dtype=float)
    s = np.asarray(simulated, dtype=float)
    ok = np.isfinite(m) & np.isfinite(s)
    m, s = m[ok], s[ok]
    n = len(m)
    if n <= DOF or m.mean() == 0:
        return Fit(float("nan"), float("nan"), n, resolution)
    r = m - s
    return Fit(
        nmbe=float(r.sum() / ((n - DOF) * m.mean())),
        cv_rmse=float(np.sqrt((r**2).sum() / (n - DOF)) / m.mean()),
        n=n,
        resolution=resolution,
    )
