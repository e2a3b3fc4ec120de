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
 *         to 1). Final exponentiation: f^(p^6-1) by conjugation and one inverse, then the rest,
 *         (p^6+1)/r, by square-and-multiply with the exponent the caller passes (computed from p
 *         and r in Python).
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

/* T = 2T, f *= the tangent at T */
static void step_double(fp12 *f, pair_state *s) {
    fp2 num, den, lambda, x3, t;
    fp2_sqr(&num, &s->x);
    fp2_add(&t, &num, &num); fp2_add(&num, &t, &num);
    fp2_add(&den, &s->y, &s->y);
    fp2_inv(&den, &den);
    fp2_mul(&lambda, &num, &den);
    mul_line(f, &lambda, &s->x, &s->y, &s->px, &s->py);
    fp2_sqr(&x3, &lambda); fp2_sub(&x3, &x3, &s->x); fp2_sub(&x3, &x3, &s->x);
    fp2_sub(&t, &s->x, &x3); fp2_mul(&t, &lambda, &t); fp2_sub(&s->y, &t, &s->y);
    s->x = x3;
}

/* T = T + Q, f *= the line through both; a vertical line (T = -Q) lies in Fp6 and is dropped */
static void step_add(fp12 *f, pair_state *s, const fp2 *qx, const fp2 *qy) {
    if (!s->live) return;
    if (fp2_eq(&s->x, qx)) {
        if (fp2_eq(&s->y, qy)) { step_double(f, s); return; }
        s->live = 0;   /* T + Q = infinity */
        return;
    }
    fp2 num, den, lambda, x3, t;
    fp2_sub(&num, qy, &s->y);
    fp2_sub(&den, qx, &s->x);
    fp2_inv(&den, &den);
    fp2_mul(&lambda, &num, &den);
    mul_line(f, &lambda, &s->x, &s->y, &s->px, &s->py);
    fp2_sqr(&x3, &lambda); fp2_sub(&x3, &x3, &s->x); fp2_sub(&x3, &x3, qx);
    fp2_sub(&t, &s->x, &x3); fp2_mul(&t, &lambda, &t); fp2_sub(&s->y, &t, &s->y);
    s->x = x3;
}

static void frobenius_twist(fp2 *rx, fp2 *ry, const fp2 *x, const fp2 *y) {
    fp2 t;
    fp2_conj(&t, x); fp2_mul(rx, &t, &G12);
    fp2_conj(&t, y); fp2_mul(ry, &t, &G13);
}

/* the Miller loop of all pairs into f; qx, qy hold each pair's Q (T starts there) */
static void miller_loop(fp12 *f, pair_state *s, const fp2 *qx, const fp2 *qy, Py_ssize_t n) {
    fp12_one(f);
    for (int bit = 63; bit >= 0; bit--) {   /* the top bit (64) is the starting T = Q */
        fp12_sqr(f, f);
        for (Py_ssize_t k = 0; k < n; k++) {
            if (s[k].live) step_double(f, &s[k]);
        }
        if ((ATE_LO >> bit) & 1) {
            for (Py_ssize_t k = 0; k < n; k++) step_add(f, &s[k], &qx[k], &qy[k]);
        }
    }
    for (Py_ssize_t k = 0; k < n; k++) {
        fp2 x1, y1, x2, y2;
        frobenius_twist(&x1, &y1, &qx[k], &qy[k]);
        frobenius_twist(&x2, &y2, &x1, &y1);
        fp2_neg(&y2, &y2);
        step_add(f, &s[k], &x1, &y1);
        step_add(f, &s[k], &x2, &y2);
    }
}

static void final_exponentiation(fp12 *r, const fp12 *f, const uint8_t *e, size_t n) {
    fp12 c, i, g, acc;
    fp12_conj(&c, f);
    fp12_inv(&i, f);
    fp12_mul(&g, &c, &i);   /* f^(p^6 - 1) */
    fp12_one(&acc);
    for (size_t k = 0; k < n; k++) {
        for (int bit = 7; bit >= 0; bit--) {
            fp12_sqr(&acc, &acc);
            if ((e[k] >> bit) & 1) fp12_mul(&acc, &acc, &g);
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

/* pairing_check(data, exponent) -> True/False, or None when a point is invalid; data is k
 * 192-byte pairs (G1 then G2), exponent (p^6 + 1) / r big-endian */
static PyObject *py_pairing_check(PyObject *self, PyObject *args) {
    Py_buffer d, e;
    if (!PyArg_ParseTuple(args, "y*y*", &d, &e)) return NULL;
    PyObject *out = NULL;
    pair_state *s = NULL;
    fp2 *qx = NULL, *qy = NULL;
    if (d.len % 192) {
        PyErr_SetString(PyExc_ValueError, "pairing_check takes whole 192-byte pairs");
        goto done;
    }
    Py_ssize_t n = d.len / 192, live = 0;
    s = PyMem_Calloc(n ? n : 1, sizeof(pair_state));
    qx = PyMem_Calloc(n ? n : 1, sizeof(fp2));
    qy = PyMem_Calloc(n ? n : 1, sizeof(fp2));
    if (!s || !qx || !qy) { PyErr_NoMemory(); goto done; }
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
        miller_loop(&f, s, qx, qy, n);
        final_exponentiation(&r, &f, e.buf, (size_t)e.len);
        Py_END_ALLOW_THREADS
        ok = fp12_is_one(&r);
    }
    out = PyBool_FromLong(ok);
done:
    PyMem_Free(s);
    PyMem_Free(qx);
    PyMem_Free(qy);
    PyBuffer_Release(&d);
    PyBuffer_Release(&e);
    return out;
}

static PyMethodDef methods[] = {
    {"g1_add", py_g1_add, METH_VARARGS, "g1_add(p, q): the sum of two 64-byte G1 points, or None if one is invalid"},
    {"g1_mul", py_g1_mul, METH_VARARGS, "g1_mul(p, k): [k]p for a 32-byte k, or None if p is invalid"},
    {"pairing_check", py_pairing_check, METH_VARARGS,
     "pairing_check(pairs, exponent): whether the product of the pairings is 1; None if a point is invalid"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_bn254", "BN254 arithmetic for EIP-196/197", -1, methods};

PyMODINIT_FUNC PyInit__bn254(void) {
    init_constants();
    return PyModule_Create(&module);
}
