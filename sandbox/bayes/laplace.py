"""Last-layer Laplace approximation (Kristiadi, Hein, Hennig 2020) for the sandbox's ReLU MLPs.

Owns `LastLayerLaplace`: a Gaussian posterior over the output layer (W_o, b_o) of a trained MLP,
with the body frozen at its trained weights. Classification (K = 2..6 softmax outputs) uses the
full generalised Gauss-Newton matrix (exactly the Hessian of the summed cross-entropy in the
last-layer parameters); regression (one output) uses a Gaussian likelihood whose noise is
estimated from the data. It offers predictive probabilities (probit, pairwise probit, Monte
Carlo or MAP link), logit means and covariances, the evidence and its exact maximiser over the
prior precision, per-region closed forms for exact per-pixel shading, and the far-field limit of
the confidence along a ray.

Speed comes from structure. With phi~ = [phi; 1] and Lambda_n = diag(p_n) - p_n p_n^T, the GGN is
sum_{k<j} (e_k - e_j)(e_k - e_j)^T (x) B_kj with B_kj = sum_n p_nk p_nj phi~_n phi~_n^T, because
the rows of Lambda_n sum to zero: K(K-1)/2 symmetric rank-N updates (BLAS syrk) build it. It
vanishes on the D = H + 1 directions 1_K (x) v, so with an orthonormal basis Q of 1_K's
complement everything reduces to a ((K-1) D)-square matrix G' plus the prior alone on the
remaining directions: one symmetric eigenvalue solve gives the evidence for every prior
precision, and one inversion at the optimum gives the covariance. Feature columns that are zero
in every block (dead units) are dropped from G' too: their posterior is exactly the prior.

On the links: softmax ignores a shift common to all logits, but the isotropic prior leaves
variance 1/(lam K) |phi~|^2 on that common shift, which the diagonal probit (the specified
shading formula) reads as uncertainty; it therefore tends to be flatter than Monte Carlo,
more so for many classes. The pairwise link uses logit differences only and tracks Monte Carlo
much more closely; it needs the full covariance, which `region_coefficients(full=True)` gives.
"""

from __future__ import annotations

import math

import numpy as np

from . import evidence as ev
from .laplace_math import (
    _CHUNK_ROWS,
    _PROBIT_SCALE,
    Link,
    _augment,
    _augmented_features_t,
    _eigvalsh,
    _pairwise_from_args,
    _pairwise_probit,
    _softmax,
    _symmetric_inverse,
    check_precision,
    helmert_basis,
)
from .region_coefficients import region_coefficients_kernel, region_coefficients_numpy


class LastLayerLaplace:
    """Gaussian posterior over the last layer of an MLP, around its trained weights.

    `LastLayerLaplace(net, prior_precision=1.0).fit(X, y)`. Prior N(0, 1/prior_precision I) on
    theta = (all rows of W_o, then b_o); P = K (H + 1) parameters (K = 1 for regression).

    `fit` snapshots the network, so the posterior stays consistent with the weights it was
    fitted at while training goes on; refit to follow the network.

    Regression (a one-output network): Gaussian likelihood with noise variance `sigma_noise^2`.
    With `sigma_noise=None` the noise is estimated by the evidence: at fit time for the current
    prior precision, and jointly with it by `optimize_prior_precision`.

    Degenerate inputs have documented fallbacks rather than errors:
    - a dead last layer (all features zero on the data): the data only inform b_o, the posterior
      on W_o is the prior N(0, 1/prior_precision I);
    - one class present, or saturated predictions: the GGN depends on the predicted
      probabilities, not the labels, so the fit is still defined (nearly flat curvature just
      gives a posterior close to the prior);
    - an evidence maximiser outside `evidence.PRIOR_PRECISION_BOUNDS` (the evidence is then
      monotone there): the bound is returned.
    """

    def __init__(self, net, prior_precision: float = 1.0, sigma_noise: float | None = None) -> None:
        n_out = int(net.n_out)
        if n_out < 1:
            raise ValueError(f"network has {n_out} outputs; need 1 (regression) or 2 to 6")
        self.net = net
        self._lam = check_precision(prior_precision)
        self._fixed_beta = (
            None if sigma_noise is None else 1.0 / check_precision(sigma_noise, "sigma_noise") ** 2
        )
        self._beta = self._fixed_beta if self._fixed_beta is not None else 1.0
        self._fitted = False
        self._snapshot = None
        self._sigma4: np.ndarray | None = None
        self._chol: tuple[np.ndarray, np.ndarray | None] | None = None
        self._sigma_lam = math.nan
        self._sigma_beta = math.nan

    # ------------------------------------------------------------------ properties
    @property
    def _model(self):
        """The network the posterior describes: the fitted snapshot once there is one."""
        return self._snapshot if self._snapshot is not None else self.net

    @property
    def is_regression(self) -> bool:
        return int(self._model.n_out) == 1

    @property
    def is_fitted(self) -> bool:
        return self._fitted

    @property
    def n_outputs(self) -> int:
        """K: the number of classes, or 1 for regression."""
        return int(self._model.n_out)

    @property
    def n_features(self) -> int:
        """H: the width of the last hidden layer."""
        return int(self._model.layers[-1][0].shape[1])

    @property
    def n_params(self) -> int:
        """P = K (H + 1)."""
        return self.n_outputs * (self.n_features + 1)

    @property
    def prior_precision(self) -> float:
        return self._lam

    @prior_precision.setter
    def prior_precision(self, value: float) -> None:
        self._lam = check_precision(value)

    @property
    def sigma_noise(self) -> float:
        """Regression noise standard deviation (estimated unless fixed at construction)."""
        self._require_regression("sigma_noise")
        return 1.0 / math.sqrt(self._beta)

    @property
    def noise_variance(self) -> float:
        """Regression noise variance sigma^2."""
        self._require_regression("noise_variance")
        return 1.0 / self._beta

    @property
    def posterior_covariance(self) -> np.ndarray:
        """(P, P) covariance, parameters ordered as all rows of W_o (row-major), then b_o."""
        sigma4 = self._sigma()
        perm = self._public_order()
        return sigma4.reshape(self.n_params, self.n_params)[np.ix_(perm, perm)].copy()

    @property
    def ggn(self) -> np.ndarray:
        """(P, P) data term of the posterior precision (the Hessian of the summed negative
        log-likelihood in the last-layer parameters), in the `posterior_covariance` order."""
        self._require_fitted()
        k, d = self.n_outputs, self.n_features + 1
        if self.is_regression:
            g4 = (self._beta * self._gred).reshape(1, d, 1, d)
        else:
            q, cols = self._q, self._cols
            da = cols.size
            ga = self._gred.reshape(k - 1, da, k - 1, da)
            ga = np.tensordot(q, ga, axes=(1, 0))
            ga = np.tensordot(ga, q, axes=(2, 1)).transpose(0, 1, 3, 2)
            g4 = np.zeros((k, d, k, d))
            g4[np.ix_(np.arange(k), cols, np.arange(k), cols)] = ga
        perm = self._public_order()
        return g4.reshape(self.n_params, self.n_params)[np.ix_(perm, perm)].copy()

    # ------------------------------------------------------------------ fitting
    def fit(self, X: np.ndarray, y: np.ndarray) -> LastLayerLaplace:
        """Fit the posterior to inputs X (N, 2) and targets y: class ids (N,) for
        classification, values (N,) or (N, 1) for regression. Returns self."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"inputs must have shape (N, 2), got {X.shape}")
        if X.shape[0] == 0:
            raise ValueError("no data: fitting needs at least one point, got 0")
        if not np.all(np.isfinite(X)):
            raise ValueError("inputs contain NaN or infinite values")
        snapshot = self.net.copy()
        return self._fit(snapshot, _augmented_features_t(snapshot, X), y)

    def fit_features(self, Phi: np.ndarray, y: np.ndarray) -> LastLayerLaplace:
        """As `fit`, from last-layer features Phi (N, H) already computed by the caller."""
        snapshot = self.net.copy()
        self._fitted, self._snapshot = False, snapshot  # check against the network's width
        phi = self._check_features(Phi, for_fit=True)
        return self._fit(snapshot, np.ascontiguousarray(_augment(phi).T), y)

    def _fit(self, snapshot, phit_t: np.ndarray, y: np.ndarray) -> LastLayerLaplace:
        """Fit from augmented features [phi, 1], transposed: (D, N), so that scaling every
        point by a weight runs along contiguous rows."""
        self._fitted = False
        self._snapshot = snapshot  # shapes below follow the network being fitted
        d, n = phit_t.shape
        w, b = snapshot.layers[-1]
        theta4 = np.concatenate([w, b[:, None]], axis=1)  # (K, D): class-major order
        with np.errstate(over="ignore", invalid="ignore"):
            # (K, N): reductions over classes then run along contiguous rows
            logits = theta4 @ phit_t
        if not np.all(np.isfinite(logits)):
            raise ValueError("the network's outputs are not finite on these inputs")

        if self.is_regression:
            t = self._check_regression_targets(y, n)
            r = t - logits[0]
            rss = float(np.dot(r, r))
            gram = phit_t @ phit_t.T  # syrk
            eig = _eigvalsh(gram)
            scale = max(float(np.mean(t * t)), 1e-12)
            lo_v, hi_v = ev.NOISE_VARIANCE_RELATIVE_BOUNDS
            beta_bounds = (1.0 / (hi_v * scale), 1.0 / (lo_v * scale))
            self._rss, self._n = rss, n
            self._beta_bounds = beta_bounds
            self._gred = gram
            self._eig = eig
            if self._fixed_beta is None:
                self._beta = ev.optimise_log_noise(n, rss, eig, self._lam, beta_bounds)
        else:
            k = logits.shape[0]
            labels = self._check_labels(y, n, k)
            log_p = logits  # log-softmax in place, (K, N)
            log_p -= log_p.max(axis=0)
            log_p -= np.log(np.exp(log_p).sum(axis=0))
            self._loglik = float(np.sum(log_p[labels, np.arange(n)]))
            sq = np.exp(0.5 * log_p, out=log_p)  # sqrt(p): pair weights p_i p_j split evenly
            pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
            blocks = np.empty((len(pairs), d, d))
            buf = self._buffer(phit_t.shape)
            for idx, (i, j) in enumerate(pairs):
                np.multiply(phit_t, sq[i] * sq[j], out=buf)
                blocks[idx] = buf @ buf.T  # numpy dispatches a @ a.T to syrk
            # A feature whose column is zero in every block (a dead unit, or one seen only by
            # saturated points) carries no data: its posterior is the prior, so the curvature
            # is reduced to the live columns. Zero diagonal means zero row in a PSD matrix.
            live = np.einsum("pii->i", blocks) > 0.0
            live[-1] = True  # keep the bias so the reduced problem is never empty
            cols = np.flatnonzero(live)
            if cols.size < d:
                blocks = blocks[:, cols][:, :, cols]
                d = cols.size
            q = helmert_basis(k)
            c = np.array([q[i] - q[j] for i, j in pairs])  # Q^T (e_i - e_j)
            outer = (c[:, :, None] * c[:, None, :]).reshape(len(pairs), (k - 1) ** 2)
            gred = (outer.T @ blocks.reshape(len(pairs), d * d)).reshape(k - 1, k - 1, d, d)
            gred = gred.transpose(0, 2, 1, 3).reshape((k - 1) * d, (k - 1) * d)
            self._gred = 0.5 * (gred + gred.T)
            self._eig = _eigvalsh(self._gred)
            self._q = q
            self._cols = cols
        self._theta4 = theta4
        self._theta_sq = float(np.sum(theta4 * theta4))
        self._sigma4 = None
        self._fitted = True
        return self

    # ------------------------------------------------------------------ evidence
    def log_marginal_likelihood(
        self, prior_precision: float | None = None, sigma_noise: float | None = None
    ) -> float:
        """Laplace evidence log Z at the current or a given prior precision (and, for
        regression, noise standard deviation); constants included (a true log density)."""
        self._require_fitted()
        lam = self._lam if prior_precision is None else check_precision(prior_precision)
        if self.is_regression:
            beta = (
                self._beta
                if sigma_noise is None
                else check_precision(sigma_noise, "sigma_noise") ** -2
            )
            return ev.reg_log_evidence(self._n, self._rss, self._eig, self._theta_sq, lam, beta)
        if sigma_noise is not None:
            raise ValueError("sigma_noise applies to regression networks only")
        return ev.class_log_evidence(self._loglik, self._eig, self._theta_sq, lam)

    def log_marginal_likelihood_grad(self, prior_precision: float | None = None) -> float:
        """d log Z / d prior_precision at the current or a given value (noise held fixed)."""
        self._require_fitted()
        lam = self._lam if prior_precision is None else check_precision(prior_precision)
        if self.is_regression:
            g_lam, _ = ev.reg_log_evidence_grad(
                self._n, self._rss, self._eig, self._theta_sq, lam, self._beta
            )
            return g_lam
        return ev.class_log_evidence_grad(self._eig, self._theta_sq, lam)

    def optimize_prior_precision(self) -> float:
        """Set the prior precision to the evidence maximiser (to machine precision) and return
        it; for regression with estimated noise, the noise is maximised jointly with it."""
        self._require_fitted()
        if self.is_regression:
            if self._fixed_beta is None:
                self._lam, self._beta = ev.optimise_joint(
                    self._n,
                    self._rss,
                    self._eig,
                    self._theta_sq,
                    self._lam,
                    self._beta,
                    self._beta_bounds,
                )
            else:
                self._lam = ev.optimise_log_precision(
                    self._beta * self._eig, self._theta_sq, self._lam
                )
        else:
            self._lam = ev.optimise_log_precision(self._eig, self._theta_sq, self._lam)
        self._sigma()  # the covariance is what predictions need next: build it now
        return self._lam

    # ------------------------------------------------------------------ prediction
    def logit_mean_cov(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean logits (N, K) and logit covariances (N, K, K) of the linearised posterior
        predictive at inputs X (N, 2). For regression K = 1 and the variance excludes noise."""
        return self.logit_mean_cov_features(self._features(X))

    def logit_mean_cov_features(self, Phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """As `logit_mean_cov`, from last-layer features Phi (N, H)."""
        phi = self._check_features(Phi)
        sigma4 = self._sigma()
        k, d = self.n_outputs, self.n_features + 1
        flat = sigma4.transpose(1, 0, 2, 3).reshape(d, k * k * d)
        n = phi.shape[0]
        mean = self._mean(phi)
        cov = np.empty((n, k, k))
        for s in range(0, n, _CHUNK_ROWS):
            pt = _augment(phi[s : s + _CHUNK_ROWS])
            t = (pt @ flat).reshape(-1, k * k, d)
            cov[s : s + _CHUNK_ROWS] = np.einsum("nad,nd->na", t, pt).reshape(-1, k, k)
        cov = 0.5 * (cov + cov.transpose(0, 2, 1))
        idx = np.arange(k)
        cov[:, idx, idx] = np.maximum(cov[:, idx, idx], 0.0)
        return mean, cov

    def predict_proba(
        self, X: np.ndarray, link: Link | str = "probit", n_samples: int = 1000, seed: int = 0
    ) -> np.ndarray:
        """Class probabilities (N, K) at inputs X (N, 2); `link` is "probit", "mc" or "map"."""
        return self.predict_proba_features(self._features(X), link, n_samples, seed)

    def predict_proba_features(
        self, Phi: np.ndarray, link: Link | str = "probit", n_samples: int = 1000, seed: int = 0
    ) -> np.ndarray:
        """Class probabilities (N, K) from last-layer features Phi (N, H)."""
        self._require_classification("predict_proba")
        link = self._check_link(link)
        phi = self._check_features(Phi)
        if link is Link.MAP:
            return _softmax(self._mean(phi))
        if link is Link.PROBIT:
            return _softmax(self.probit_logits_features(phi))
        if link is Link.PAIRWISE:
            mean, cov = self.logit_mean_cov_features(phi)
            return _pairwise_probit(mean, cov)
        n_samples = self._check_samples(n_samples)
        rng = np.random.default_rng(seed)
        out = np.empty((phi.shape[0], self.n_outputs))
        for s, samples in self._sample_chunks(phi, n_samples, rng):
            out[s : s + samples.shape[1]] = _softmax(samples).mean(axis=0)
        return out

    def probit_logits(self, X: np.ndarray) -> np.ndarray:
        """Logits (N, K) at inputs X (N, 2) whose softmax is the probit predictive: each mean
        logit shrunk by its variance, m / sqrt(1 + pi/8 v) (a field drawn from them shows
        Laplace's confidence, as the per-region closed forms do for piecewise-linear networks)."""
        return self.probit_logits_features(self._features(X))

    def probit_logits_features(self, Phi: np.ndarray) -> np.ndarray:
        """As `probit_logits`, from last-layer features Phi (N, H)."""
        self._require_classification("probit_logits")
        mean, var = self._mean_var_diag(self._check_features(Phi))
        return mean / np.sqrt(1.0 + _PROBIT_SCALE * var)

    def sample_logits(self, X: np.ndarray, n_samples: int = 1000, seed: int = 0) -> np.ndarray:
        """Logit samples (n_samples, N, K) from N(m(x), V(x)) per point; the same draws the
        "mc" link averages for the same seed."""
        return self.sample_logits_features(self._features(X), n_samples, seed)

    def sample_logits_features(
        self, Phi: np.ndarray, n_samples: int = 1000, seed: int = 0
    ) -> np.ndarray:
        """As `sample_logits`, from last-layer features Phi (N, H)."""
        phi = self._check_features(Phi)
        n_samples = self._check_samples(n_samples)
        rng = np.random.default_rng(seed)
        out = np.empty((n_samples, phi.shape[0], self.n_outputs))
        for s, samples in self._sample_chunks(phi, n_samples, rng):
            out[:, s : s + samples.shape[1]] = samples
        return out

    def predict(self, X: np.ndarray, include_noise: bool = True) -> tuple[np.ndarray, np.ndarray]:
        """Regression predictive mean (N,) and variance (N,) at inputs X (N, 2).

        The variance is phi~^T Sigma phi~ (the network's uncertainty) plus, when
        `include_noise`, the observation noise variance sigma^2 (where a new target may fall).
        """
        return self.predict_features(self._features(X), include_noise)

    def predict_features(
        self, Phi: np.ndarray, include_noise: bool = True
    ) -> tuple[np.ndarray, np.ndarray]:
        """As `predict`, from last-layer features Phi (N, H)."""
        self._require_regression("predict")
        phi = self._check_features(Phi)
        mean, var = self._mean_var_diag(phi)
        var = var[:, 0] + (1.0 / self._beta if include_noise else 0.0)
        return mean[:, 0], var

    # ------------------------------------------------------------------ closed forms
    def region_coefficients(
        self, feature_maps: np.ndarray, include_noise: bool = False, full: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-region closed forms of the mean logits and the logit variances.

        feature_maps (R, H, 3): inside region r the features are phi = F[:, :2] @ x + F[:, 2].
        Returns mean coefficients (R, K, 3) with m_k(x, y) = a0 x + a1 y + a2, and variance
        coefficients (R, K, 6) with V_kk(x, y) = c0 x^2 + c1 x y + c2 y^2 + c3 x + c4 y + c5;
        with `full`, (R, K, K, 6) for every V_kj (what the "pairwise" link needs).
        Rounding can make an evaluated variance slightly negative far from the origin: clamp at
        0 before taking a square root. For regression (K = 1) the variance excludes the
        observation noise unless `include_noise` (which adds sigma^2 to c5).
        """
        fm = np.ascontiguousarray(feature_maps, dtype=np.float64)
        h = self.n_features
        if fm.ndim != 3 or fm.shape[1:] != (h, 3):
            raise ValueError(f"feature_maps must have shape (R, {h}, 3), got {fm.shape}")
        # a finite sum has finite terms (a NaN or an infinity would carry through); only an
        # overflowing sum needs the element-wise check
        if not np.isfinite(fm.sum()) and not np.all(np.isfinite(fm)):
            raise ValueError("feature_maps contain NaN or infinite values")
        if include_noise:
            self._require_regression("include_noise")
        sigma4 = self._sigma()
        chol = None if full else self._sigma_cholesky(sigma4)
        if chol is None:
            mean_coef, var_coef = region_coefficients_numpy(fm, self._theta4, sigma4, full)
        else:
            mean_coef, var_coef = region_coefficients_kernel(
                fm, np.ascontiguousarray(self._theta4), chol
            )
        if include_noise:
            var_coef[..., 5] += 1.0 / self._beta
        return mean_coef, var_coef

    def far_field_proba(
        self,
        feature_slope: np.ndarray,
        feature_offset: np.ndarray | None = None,
        link: Link | str = "probit",
    ) -> np.ndarray:
        """Limit (K,) of the closed-form probabilities along a ray as delta -> inf, where the
        features beyond the last crease crossing are phi(delta) = delta * slope + offset.

        With s~ = [slope; 0] (the bias coordinate does not grow) each probit argument
        m_k / sqrt(1 + pi/8 V_kk) tends to (mu_k . s~) / sqrt(pi/8 s~^T Sigma_kk s~); for the
        "pairwise" link each (m_k - m_j) / sqrt(1 + pi/8 v_kj) tends likewise. The limit
        depends neither on the offset nor on the slope's scale. When the slope is exactly zero
        the features are constant along the ray, so the confidence is constant too and its value
        at `feature_offset` is returned (which is then required).
        """
        self._require_classification("far_field_proba")
        link = self._check_link(link)
        if link not in (Link.PROBIT, Link.PAIRWISE, Link.MAP):
            raise ValueError(
                f"far_field_proba has closed forms for probit, pairwise and map, not {link.value!r}"
            )
        h = self.n_features
        slope = np.asarray(feature_slope, dtype=np.float64).reshape(-1)
        if slope.shape != (h,) or not np.all(np.isfinite(slope)):
            raise ValueError(f"feature_slope must be {h} finite numbers, got shape {slope.shape}")
        peak = float(np.max(np.abs(slope))) if h else 0.0
        if peak == 0.0:
            if feature_offset is None:
                raise ValueError(
                    "feature_slope is zero (features constant along the ray): pass "
                    "feature_offset, the constant feature vector, to get the limit"
                )
            offset = np.asarray(feature_offset, dtype=np.float64).reshape(1, -1)
            return self.predict_proba_features(offset, link)[0]
        s = slope / peak  # the limit is scale-free; normalising avoids overflow
        a = self._theta4[:, :h] @ s
        if link is Link.MAP:
            # Logits grow like delta * a: all mass on the classes with the largest slope.
            top = a == a.max()
            return top / top.sum()
        sigma4 = self._sigma()
        k = self.n_outputs
        # s~^T Sigma_kj s~ for every class pair: the growth rate of V_kj along the ray.
        growth = np.einsum("i,kijl,l->kj", s, sigma4[:, :h, :, :h], s)
        tiny = np.finfo(float).tiny
        if link is Link.PROBIT:
            q = np.maximum(np.diagonal(growth), tiny)
            return _softmax(a / np.sqrt(_PROBIT_SCALE * q))
        diag = np.diagonal(growth)
        q = np.maximum(diag[:, None] + diag[None, :] - 2.0 * growth, tiny)
        z = -(a[:, None] - a[None, :]) / np.sqrt(_PROBIT_SCALE * q)
        z[np.arange(k), np.arange(k)] = 0.0
        return _pairwise_from_args(z)

    # ------------------------------------------------------------------ internals
    def _sigma_cholesky(self, sigma4: np.ndarray) -> np.ndarray | None:
        """(K, D, D) lower Cholesky factors of the class blocks Sigma_kk, cached with sigma4;
        None when a block is not numerically positive definite (the dense path then serves)."""
        cached = self._chol
        if cached is not None and cached[0] is sigma4:
            return cached[1]
        k = sigma4.shape[0]
        try:
            chol = np.stack([np.linalg.cholesky(sigma4[i, :, i, :]) for i in range(k)])
        except np.linalg.LinAlgError:
            chol = None
        self._chol = (sigma4, chol)
        return chol

    def _sigma(self) -> np.ndarray:
        """(K, D, K, D) posterior covariance in class-major order, cached per (lam, beta)."""
        self._require_fitted()
        if (
            self._sigma4 is not None
            and self._sigma_lam == self._lam
            and self._sigma_beta == self._beta
        ):
            return self._sigma4
        lam = self._lam
        d = self.n_features + 1
        if self.is_regression:
            sigma4 = _symmetric_inverse(self._beta * self._gred + lam * np.eye(d))
            sigma4 = sigma4.reshape(1, d, 1, d)
        else:
            k, q, cols = self.n_outputs, self._q, self._cols
            da = cols.size
            red = _symmetric_inverse(self._gred + lam * np.eye((k - 1) * da))
            # (Q (x) I) Sigma' (Q (x) I)^T as two small products over the class axes
            half = (q @ red.reshape(k - 1, -1)).reshape(k, da, k - 1, da)
            full = q @ half.transpose(2, 0, 1, 3).reshape(k - 1, -1)  # (K_j, K_k Da Da)
            full = full.reshape(k, k, da, da).transpose(1, 2, 0, 3)  # (K_k, Da, K_j, Da)
            live = 0.5 * (full + full.transpose(2, 3, 0, 1))  # exact symmetry for callers
            # The all-ones directions carry no data: the prior 1/lam, spread as (1/K) 1 1^T.
            idx = np.arange(da)
            live[:, idx, :, idx] += 1.0 / (lam * k)
            if da == d:
                sigma4 = live
            else:
                sigma4 = np.zeros((k, d, k, d))
                dead = np.setdiff1d(np.arange(d), cols)
                sigma4[:, dead, :, dead] = np.eye(k) / lam  # prior, uncorrelated with the rest
                sigma4[np.ix_(np.arange(k), cols, np.arange(k), cols)] = live
        self._sigma4 = sigma4
        self._sigma_lam, self._sigma_beta = lam, self._beta
        return sigma4

    def _buffer(self, shape: tuple[int, int]) -> np.ndarray:
        """A scratch array kept between refits: live refits reuse it instead of faulting in
        fresh pages every time."""
        buf = getattr(self, "_scratch", None)
        if buf is None or buf.size < shape[0] * shape[1]:
            buf = np.empty(shape[0] * shape[1])
            self._scratch = buf
        return buf[: shape[0] * shape[1]].reshape(shape)

    def _public_order(self) -> np.ndarray:
        k, h = self.n_outputs, self.n_features
        d = h + 1
        w_part = (np.arange(k)[:, None] * d + np.arange(h)[None, :]).reshape(-1)
        return np.concatenate([w_part, np.arange(k) * d + h])

    def _mean(self, phi: np.ndarray) -> np.ndarray:
        return phi @ self._theta4[:, :-1].T + self._theta4[:, -1]

    def _mean_var_diag(self, phi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        sigma4 = self._sigma()
        k, d = self.n_outputs, self.n_features + 1
        diag = sigma4[np.arange(k), :, np.arange(k), :]  # (K, D, D)
        flat = diag.transpose(1, 0, 2).reshape(d, k * d)
        n = phi.shape[0]
        var = np.empty((n, k))
        for s in range(0, n, _CHUNK_ROWS):
            pt = _augment(phi[s : s + _CHUNK_ROWS])
            t = (pt @ flat).reshape(-1, k, d)
            var[s : s + _CHUNK_ROWS] = np.einsum("nkd,nd->nk", t, pt)
        return self._mean(phi), np.maximum(var, 0.0)

    def _sample_chunks(self, phi: np.ndarray, n_samples: int, rng: np.random.Generator):
        k = self.n_outputs
        rows = max(1, 2_000_000 // (n_samples * k))
        for s in range(0, phi.shape[0], rows):
            mean, cov = self.logit_mean_cov_features(phi[s : s + rows])
            try:
                w, u = np.linalg.eigh(cov)
            except np.linalg.LinAlgError:
                # Per-point 1..6-square symmetric matrices essentially never fail; if one
                # does, fall back to independent logits with the right variances.
                w = np.diagonal(cov, axis1=1, axis2=2).copy()
                u = np.broadcast_to(np.eye(k), cov.shape)
            factor = u * np.sqrt(np.maximum(w, 0.0))[:, None, :]  # cov = factor factor^T
            z = rng.standard_normal((n_samples, mean.shape[0], k))
            samples = mean[None] + np.einsum("nkj,snj->snk", factor, z)
            yield s, samples

    def _features(self, X: np.ndarray) -> np.ndarray:
        self._require_fitted()
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"inputs must have shape (N, 2), got {X.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("inputs contain NaN or infinite values")
        return self._snapshot.features(X)

    def _check_features(self, Phi: np.ndarray, for_fit: bool = False) -> np.ndarray:
        if not for_fit:
            self._require_fitted()
        phi = np.asarray(Phi, dtype=np.float64)
        h = self.n_features
        if phi.ndim == 1 and phi.shape[0] == h:
            phi = phi[None, :]
        if phi.ndim != 2 or phi.shape[1] != h:
            raise ValueError(f"features must have shape (N, {h}), got {phi.shape}")
        if for_fit and phi.shape[0] == 0:
            raise ValueError("no data: fitting needs at least one point, got 0")
        if not np.all(np.isfinite(phi)):
            raise ValueError("features contain NaN or infinite values")
        return phi

    @staticmethod
    def _check_labels(y: np.ndarray, n: int, k: int) -> np.ndarray:
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if y.shape != (n,):
            raise ValueError(f"labels must have shape ({n},) to match the inputs, got {y.shape}")
        if y.dtype.kind == "f":
            if not np.all(np.isfinite(y)) or not np.all(y == np.round(y)):
                raise ValueError("labels must be whole class ids, got non-integer values")
        elif y.dtype.kind not in "iub":
            raise ValueError(f"labels must be integer class ids, got dtype {y.dtype}")
        labels = y.astype(np.int64)
        if labels.min() < 0 or labels.max() >= k:
            bad = labels[(labels < 0) | (labels >= k)][0]
            raise ValueError(f"label {bad} out of range: this network has classes 0 to {k - 1}")
        return labels

    @staticmethod
    def _check_regression_targets(y: np.ndarray, n: int) -> np.ndarray:
        t = np.asarray(y, dtype=np.float64)
        if t.ndim == 2 and t.shape[1] == 1:
            t = t[:, 0]
        if t.shape != (n,):
            raise ValueError(f"targets must have shape ({n},) to match the inputs, got {t.shape}")
        if not np.all(np.isfinite(t)):
            raise ValueError("targets contain NaN or infinite values")
        return t

    @staticmethod
    def _check_link(link: Link | str) -> Link:
        try:
            return Link(link)
        except ValueError:
            allowed = ", ".join(repr(v.value) for v in Link)
            raise ValueError(f"unknown link {link!r}; allowed: {allowed}") from None

    @staticmethod
    def _check_samples(n_samples: int) -> int:
        if isinstance(n_samples, bool) or int(n_samples) != n_samples or n_samples < 1:
            raise ValueError(f"n_samples must be a whole number >= 1, got {n_samples!r}")
        return int(n_samples)

    def _require_fitted(self) -> None:
        if not self._fitted:
            raise ValueError("the Laplace posterior is not fitted yet: call fit(X, y) first")

    def _require_classification(self, what: str) -> None:
        if self.is_regression:
            raise ValueError(f"{what} needs a classification network (2 to 6 outputs)")

    def _require_regression(self, what: str) -> None:
        if not self.is_regression:
            raise ValueError(f"{what} applies to regression networks (1 output) only")

    def __repr__(self) -> str:
        state = "fitted" if self._fitted else "not fitted"
        return (
            f"LastLayerLaplace(K={self.n_outputs}, H={self.n_features}, "
            f"prior_precision={self._lam:.6g}, {state})"
        )
