/* BN254 (alt_bn128) arithmetic for the ECADD, ECMUL and ECPAIRING precompiles (EIP-196, EIP-197).
 *
 * This project's own code, written for speed where py_ecc spends whole seconds (rules/l1/bn254.py
 * says which checks run where). The math, in the order of the files (_bn254_fields.h, _bn254_curves.h, then this one):
 *
 *   Fp    254-bit prime field, four 64-bit limbs in Montgomery form (R = 2^256); the Montgomery
 *         constants are derived from p when the module loads, not typed in
 *   Fp2   Fp[u] / (u^2 + 1)
 *   Fp12  Fp2[w] / (w^6 - xi), xi = 9 + u, kept flat as six Fp2 coefficients; its inverse goes
 *         through Fp6 = Fp2[v] / (v^3 - xi), v = w^2 (f = a + b w, a and b in Fp6)
 *   G1    y^2 = x^3 + 3 over Fp;  G2  y^2 = x^3 + 3/xi over Fp2 (the twist), both in Jacobian
 *         coordinates for sums and scalar products (one template, JACOBIAN below)
 *   pairing  optimal ate: a Miller loop over 6u+2 shared by all pairs, affine twist points, lines
 *         evaluated at P through the untwisting (x, y) -> (x w^2, y w^3), then the two Frobenius
 *         lines; vertical lines lie in Fp6 and are dropped (the final exponentiation sends them
 *         to 1). Final exponentiation: the easy part f^((p^6-1)(p^2+1)) by conjugation, one
 *         inverse and the p^2-power Frobenius; the hard part g^((p^4-p^2+1)/r) as one
 *         simultaneous exponentiation of g, g^p, g^(p^2), g^(p^3) (Frobenius maps, cheap) by
 *         the four base-p digits of that exponent, which the caller passes (computed from p and
 *         r in Python): 254 squarings instead of the ~1270 of the whole (p^6+1)/r.
 *
 * No input is trusted: every coordinate is checked below p, every point on its curve, every G2
 * point in the order-r subgroup; an invalid input is reported to the caller, which fails the call.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

#include "_bn254_fields.h"   /* Fp .. Fp12 and the constants */
#include "_bn254_curves.h"   /* G1, G2 */


/* ---- the pairing --------------------------------------------------------------------------- */
typedef struct { fp2 x, y; fp px, py; int live; } pair_state;

/* f *= the line through T with slope lambda, at P: yP - lambda xP w + (lambda xT - yT) w^3 */
static void mul_line(fp12 *f, const fp2 *lambda, const fp2 *tx, const fp2 *ty, const fp *px, const fp *py) {
    fp12 l;
    memset(&l, 0, sizeof(l));
    l.c[0].a = *py;
    fp2_mul_fp(&l.c[1], lambda, px);
    fp2_neg(&l.c[1], &l.c[1]);
    fp2_mul(&l.c[3], lambda, tx);
    fp2_sub(&l.c[3], &l.c[3], ty);
    fp12_mul(f, f, &l);
}

/* Each step's slope needs an inverse; the pairs of one step share one inversion (Montgomery's
 * trick: the running products, one inverse of their product, then each inverse back out), as an
 * inversion costs a few hundred multiplications. A zero has no inverse and gets 0, as fp2_inv
 * gives it. */
static void batch_inv(fp2 *v, const int *use, fp2 *prefix, Py_ssize_t n) {
    fp2 acc, inv, t;
    memset(&acc, 0, sizeof(acc));
    acc.a = ONE;
    int any = 0;
    for (Py_ssize_t k = 0; k < n; k++) {
        if (!use[k] || fp2_is_zero(&v[k])) continue;
        prefix[k] = acc;
        fp2_mul(&acc, &acc, &v[k]);
        any = 1;
    }
    if (!any) return;
    fp2_inv(&inv, &acc);
    for (Py_ssize_t k = n - 1; k >= 0; k--) {
        if (!use[k] || fp2_is_zero(&v[k])) continue;
        fp2_mul(&t, &inv, &prefix[k]);
        fp2_mul(&inv, &inv, &v[k]);
        v[k] = t;
    }
}

/* T = 2T, f *= the tangent at T; inv = 1 / (2 yT) */
static void apply_double(fp12 *f, pair_state *s, const fp2 *inv) {
    fp2 num, lambda, x3, t;
    fp2_sqr(&num, &s->x);
    fp2_add(&t, &num, &num); fp2_add(&num, &t, &num);
    fp2_mul(&lambda, &num, inv);
    mul_line(f, &lambda, &s->x, &s->y, &s->px, &s->py);
    fp2_sqr(&x3, &lambda); fp2_sub(&x3, &x3, &s->x); fp2_sub(&x3, &x3, &s->x);
    fp2_sub(&t, &s->x, &x3); fp2_mul(&t, &lambda, &t); fp2_sub(&s->y, &t, &s->y);
    s->x = x3;
}

/* T = T + Q, f *= the line through both; inv = 1 / (xQ - xT) */
static void apply_add(fp12 *f, pair_state *s, const fp2 *qx, const fp2 *qy, const fp2 *inv) {
    fp2 num, lambda, x3, t;
    fp2_sub(&num, qy, &s->y);
    fp2_mul(&lambda, &num, inv);
    mul_line(f, &lambda, &s->x, &s->y, &s->px, &s->py);
    fp2_sqr(&x3, &lambda); fp2_sub(&x3, &x3, &s->x); fp2_sub(&x3, &x3, qx);
    fp2_sub(&t, &s->x, &x3); fp2_mul(&t, &lambda, &t); fp2_sub(&s->y, &t, &s->y);
    s->x = x3;
}

enum { STEP_NONE, STEP_DOUBLE, STEP_ADD };

typedef struct { fp2 *den, *prefix; int *use, *kind; } scratch;

/* every live pair doubles its T */
static void step_double_all(fp12 *f, pair_state *s, Py_ssize_t n, scratch *w) {
    for (Py_ssize_t k = 0; k < n; k++) {
        w->use[k] = s[k].live;
        if (s[k].live) fp2_add(&w->den[k], &s[k].y, &s[k].y);
    }
    batch_inv(w->den, w->use, w->prefix, n);
    for (Py_ssize_t k = 0; k < n; k++) {
        if (w->use[k]) apply_double(f, &s[k], &w->den[k]);
    }
}

/* every live pair adds its (qx[k], qy[k]) to T: T = Q doubles, T = -Q is infinity (the vertical
 * line lies in Fp6 and is dropped) */
static void step_add_all(fp12 *f, pair_state *s, const fp2 *qx, const fp2 *qy, Py_ssize_t n, scratch *w) {
    for (Py_ssize_t k = 0; k < n; k++) {
        w->kind[k] = STEP_NONE;
        if (!s[k].live) continue;
        if (fp2_eq(&s[k].x, &qx[k])) {
            if (fp2_eq(&s[k].y, &qy[k])) {
                w->kind[k] = STEP_DOUBLE;
                fp2_add(&w->den[k], &s[k].y, &s[k].y);
            } else {
                s[k].live = 0;   /* T + Q = infinity */
            }
        } else {
            w->kind[k] = STEP_ADD;
            fp2_sub(&w->den[k], &qx[k], &s[k].x);
        }
        w->use[k] = w->kind[k] != STEP_NONE;
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        if (w->kind[k] == STEP_NONE) w->use[k] = 0;
    }
    batch_inv(w->den, w->use, w->prefix, n);
    for (Py_ssize_t k = 0; k < n; k++) {
        if (w->kind[k] == STEP_DOUBLE) apply_double(f, &s[k], &w->den[k]);
        else if (w->kind[k] == STEP_ADD) apply_add(f, &s[k], &qx[k], &qy[k], &w->den[k]);
    }
}

static void frobenius_twist(fp2 *rx, fp2 *ry, const fp2 *x, const fp2 *y) {
    fp2 t;
    fp2_conj(&t, x); fp2_mul(rx, &t, &G12);
    fp2_conj(&t, y); fp2_mul(ry, &t, &G13);
}

/* the Miller loop of all pairs into f; qx, qy hold each pair's Q (T starts there); fx, fy room
 * for the Frobenius points */
static void miller_loop(fp12 *f, pair_state *s, const fp2 *qx, const fp2 *qy, fp2 *fx, fp2 *fy, Py_ssize_t n,
                        scratch *w) {
    fp12_one(f);
    for (int bit = 63; bit >= 0; bit--) {   /* the top bit (64) is the starting T = Q */
        fp12_sqr(f, f);
        step_double_all(f, s, n, w);
        if ((ATE_LO >> bit) & 1) step_add_all(f, s, qx, qy, n, w);
    }
    for (Py_ssize_t k = 0; k < n; k++) frobenius_twist(&fx[k], &fy[k], &qx[k], &qy[k]);   /* pi(Q) */
    step_add_all(f, s, fx, fy, n, w);
    for (Py_ssize_t k = 0; k < n; k++) {   /* -pi^2(Q) */
        fp2 x1 = fx[k], y1 = fy[k];
        frobenius_twist(&fx[k], &fy[k], &x1, &y1);
        fp2_neg(&fy[k], &fy[k]);
    }
    step_add_all(f, s, fx, fy, n, w);
}

/* digits: d0 .. d3, 32 bytes each, big-endian, with (p^4 - p^2 + 1)/r = d0 + d1 p + d2 p^2 + d3 p^3 */
static void final_exponentiation(fp12 *r, const fp12 *f, const uint8_t *digits) {
    fp12 c, i, g, t, base[4], table[16], acc;
    fp12_conj(&c, f);
    fp12_inv(&i, f);
    fp12_mul(&g, &c, &i);   /* f^(p^6 - 1) */
    fp12_frob(&t, &g);
    fp12_frob(&t, &t);
    fp12_mul(&g, &g, &t);   /* ^(p^2 + 1) */
    base[0] = g;
    for (int j = 1; j < 4; j++) fp12_frob(&base[j], &base[j - 1]);   /* g^(p^j) */
    fp12_one(&table[0]);
    for (int m = 1; m < 16; m++) {   /* table[m] = the product of base[j] over the bits j of m */
        int j = __builtin_ctz((unsigned)m), rest = m & (m - 1);
        if (rest) fp12_mul(&table[m], &table[rest], &base[j]);
        else table[m] = base[j];
    }
    int started = 0;
    fp12_one(&acc);
    for (int pos = 255; pos >= 0; pos--) {
        int m = 0;
        for (int j = 0; j < 4; j++) m |= ((digits[32 * j + 31 - pos / 8] >> (pos % 8)) & 1) << j;
        if (started) fp12_sqr(&acc, &acc);
        if (m) {
            if (started) fp12_mul(&acc, &acc, &table[m]);
            else acc = table[m];
            started = 1;
        }
    }
    *r = acc;
}

/* ---- Python functions ---------------------------------------------------------------------- */
static PyObject *py_g1_add(PyObject *self, PyObject *args) {
    Py_buffer a, b;
    if (!PyArg_ParseTuple(args, "y*y*", &a, &b)) return NULL;
    PyObject *out = NULL;
    if (a.len != 64 || b.len != 64) {
        PyErr_SetString(PyExc_ValueError, "g1_add takes two 64-byte points");
        goto done;
    }
    fp x1, y1, x2, y2;
    int k1 = g1_decode(&x1, &y1, a.buf), k2 = g1_decode(&x2, &y2, b.buf);
    if (!k1 || !k2) { out = Py_None; Py_INCREF(out); goto done; }
    g1_jac acc;
    memset(&acc, 0, sizeof(acc));
    if (k1 == 1) { acc.x = x1; acc.y = y1; acc.z = ONE; }
    if (k2 == 1) g1_madd(&acc, &acc, &x2, &y2, &ONE);
    uint8_t res[64];
    g1_encode(res, &acc);
    out = PyBytes_FromStringAndSize((const char *)res, 64);
done:
    PyBuffer_Release(&a);
    PyBuffer_Release(&b);
    return out;
}

static PyObject *py_g1_mul(PyObject *self, PyObject *args) {
    Py_buffer a, k;
    if (!PyArg_ParseTuple(args, "y*y*", &a, &k)) return NULL;
    PyObject *out = NULL;
    if (a.len != 64 || k.len != 32) {
        PyErr_SetString(PyExc_ValueError, "g1_mul takes a 64-byte point and a 32-byte scalar");
        goto done;
    }
    fp x, y;
    int kind = g1_decode(&x, &y, a.buf);
    if (!kind) { out = Py_None; Py_INCREF(out); goto done; }
    g1_jac acc;
    memset(&acc, 0, sizeof(acc));
    if (kind == 1) g1_mul_scalar(&acc, &x, &y, k.buf, 32, &ONE);
    uint8_t res[64];
    g1_encode(res, &acc);
    out = PyBytes_FromStringAndSize((const char *)res, 64);
done:
    PyBuffer_Release(&a);
    PyBuffer_Release(&k);
    return out;
}

/* pairing_check(data, digits) -> True/False, or None when a point is invalid; data is k
 * 192-byte pairs (G1 then G2), digits the 128 bytes of final_exponentiation's hard part */
static PyObject *py_pairing_check(PyObject *self, PyObject *args) {
    Py_buffer d, e;
    if (!PyArg_ParseTuple(args, "y*y*", &d, &e)) return NULL;
    PyObject *out = NULL;
    pair_state *s = NULL;
    fp2 *qx = NULL, *qy = NULL, *fx = NULL, *fy = NULL, *den = NULL, *prefix = NULL;
    int *use = NULL, *kind = NULL;
    if (d.len % 192 || e.len != 128) {
        PyErr_SetString(PyExc_ValueError, "pairing_check takes whole 192-byte pairs and 128 bytes of digits");
        goto done;
    }
    Py_ssize_t n = d.len / 192, live = 0;
    s = PyMem_Calloc(n ? n : 1, sizeof(pair_state));
    qx = PyMem_Calloc(n ? n : 1, sizeof(fp2));
    qy = PyMem_Calloc(n ? n : 1, sizeof(fp2));
    fx = PyMem_Calloc(n ? n : 1, sizeof(fp2));
    fy = PyMem_Calloc(n ? n : 1, sizeof(fp2));
    den = PyMem_Calloc(n ? n : 1, sizeof(fp2));
    prefix = PyMem_Calloc(n ? n : 1, sizeof(fp2));
    use = PyMem_Calloc(n ? n : 1, sizeof(int));
    kind = PyMem_Calloc(n ? n : 1, sizeof(int));
    if (!s || !qx || !qy || !fx || !fy || !den || !prefix || !use || !kind) { PyErr_NoMemory(); goto done; }
    const uint8_t *buf = d.buf;
    for (Py_ssize_t k = 0; k < n; k++) {
        int k1 = g1_decode(&s[k].px, &s[k].py, buf + 192 * k);
        int k2 = k1 ? g2_decode(&qx[k], &qy[k], buf + 192 * k + 64) : 0;
        if (!k1 || !k2) { out = Py_None; Py_INCREF(out); goto done; }
        s[k].live = k1 == 1 && k2 == 1;   /* a pair with infinity contributes 1 */
        s[k].x = qx[k];
        s[k].y = qy[k];
        live += s[k].live;
    }
    int ok = 1;
    if (live) {
        fp12 f, r;
        Py_BEGIN_ALLOW_THREADS
        scratch w = {den, prefix, use, kind};
        miller_loop(&f, s, qx, qy, fx, fy, n, &w);
        final_exponentiation(&r, &f, e.buf);
        Py_END_ALLOW_THREADS
        ok = fp12_is_one(&r);
    }
    out = PyBool_FromLong(ok);
done:
    PyMem_Free(s);
    PyMem_Free(qx);
    PyMem_Free(qy);
    PyMem_Free(fx);
    PyMem_Free(fy);
    PyMem_Free(den);
    PyMem_Free(prefix);
    PyMem_Free(use);
    PyMem_Free(kind);
    PyBuffer_Release(&d);
    PyBuffer_Release(&e);
    return out;
}

static PyMethodDef methods[] = {
    {"g1_add", py_g1_add, METH_VARARGS, "g1_add(p, q): the sum of two 64-byte G1 points, or None if one is invalid"},
    {"g1_mul", py_g1_mul, METH_VARARGS, "g1_mul(p, k): [k]p for a 32-byte k, or None if p is invalid"},
    {"pairing_check", py_pairing_check, METH_VARARGS,
     "pairing_check(pairs, digits): whether the product of the pairings is 1; None if a point is invalid"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_bn254", "BN254 arithmetic for EIP-196/197", -1, methods};

PyMODINIT_FUNC PyInit__bn254(void) {
    init_constants();
    return PyModule_Create(&module);
}
