/* BN254 curves for _bn254.c: G1 over Fp and the twist G2 over Fp2 in Jacobian coordinates, their
 * encodings and checks (on the curve, below p, the G2 subgroup). Included once, by _bn254.c. */
#ifndef WV_BN254_CURVES_H
#define WV_BN254_CURVES_H
#include "_bn254_fields.h"

/* ---- Jacobian points, one template for G1 (over Fp) and G2 (over Fp2), a = 0 --------------- */
#define JACOBIAN(F, T)                                                                            \
    typedef struct { T x, y, z; } F##_jac;                                                      \
    static void F##_dbl(F##_jac *r, const F##_jac *p) {                                          \
        if (T##_is_zero(&p->z)) { *r = *p; return; }                                            \
        T a, b, c, d, e, f, t;                                                                   \
        T##_mul(&a, &p->x, &p->x); T##_mul(&b, &p->y, &p->y); T##_mul(&c, &b, &b);               \
        T##_add(&t, &p->x, &b); T##_mul(&t, &t, &t); T##_sub(&t, &t, &a); T##_sub(&t, &t, &c);   \
        T##_add(&d, &t, &t); T##_add(&e, &a, &a); T##_add(&e, &e, &a); T##_mul(&f, &e, &e);      \
        T z3; T##_mul(&z3, &p->y, &p->z); T##_add(&z3, &z3, &z3);                                \
        T##_sub(&r->x, &f, &d); T##_sub(&r->x, &r->x, &d);                                       \
        T##_sub(&t, &d, &r->x); T##_mul(&t, &e, &t);                                             \
        T##_add(&c, &c, &c); T##_add(&c, &c, &c); T##_add(&c, &c, &c);                           \
        T##_sub(&r->y, &t, &c); r->z = z3;                                                        \
    }                                                                                             \
    /* r = p + (qx, qy), q affine and finite */                                                  \
    static void F##_madd(F##_jac *r, const F##_jac *p, const T *qx, const T *qy, const T *one) { \
        if (T##_is_zero(&p->z)) { r->x = *qx; r->y = *qy; r->z = *one; return; }                 \
        T z1z1, u2, s2, h, hh, i, j, rr, v, t;                                                   \
        T##_mul(&z1z1, &p->z, &p->z); T##_mul(&u2, qx, &z1z1);                                   \
        T##_mul(&s2, qy, &p->z); T##_mul(&s2, &s2, &z1z1);                                       \
        T##_sub(&h, &u2, &p->x); T##_sub(&rr, &s2, &p->y);                                       \
        if (T##_is_zero(&h)) {                                                                    \
            if (T##_is_zero(&rr)) { F##_dbl(r, p); return; }                                     \
            memset(r, 0, sizeof(*r)); return;                                                     \
        }                                                                                         \
        T##_add(&rr, &rr, &rr);                                                                   \
        T##_mul(&hh, &h, &h); T##_add(&i, &hh, &hh); T##_add(&i, &i, &i); T##_mul(&j, &h, &i);   \
        T##_mul(&v, &p->x, &i);                                                                   \
        T z3; T##_add(&z3, &p->z, &h); T##_mul(&z3, &z3, &z3); T##_sub(&z3, &z3, &z1z1);          \
        T##_sub(&z3, &z3, &hh);                                                                   \
        T y1j; T##_mul(&y1j, &p->y, &j); T##_add(&y1j, &y1j, &y1j);                              \
        T##_mul(&t, &rr, &rr); T##_sub(&t, &t, &j); T##_sub(&t, &t, &v); T##_sub(&r->x, &t, &v);  \
        T##_sub(&t, &v, &r->x); T##_mul(&t, &rr, &t); T##_sub(&r->y, &t, &y1j); r->z = z3;       \
    }                                                                                             \
    /* [k](qx, qy), k as big-endian bytes */                                                     \
    static void F##_mul_scalar(F##_jac *r, const T *qx, const T *qy, const uint8_t *k, size_t n, \
                               const T *one) {                                                    \
        F##_jac acc;                                                                              \
        memset(&acc, 0, sizeof(acc));                                                             \
        for (size_t i = 0; i < n; i++) {                                                          \
            for (int bit = 7; bit >= 0; bit--) {                                                  \
                F##_dbl(&acc, &acc);                                                              \
                if ((k[i] >> bit) & 1) F##_madd(&acc, &acc, qx, qy, one);                        \
            }                                                                                     \
        }                                                                                         \
        *r = acc;                                                                                 \
    }

JACOBIAN(g1, fp)
JACOBIAN(g2, fp2)

/* y^2 == x^3 + b */
static int g1_on_curve(const fp *x, const fp *y) {
    fp l, r;
    fp_mul(&l, y, y);
    fp_mul(&r, x, x); fp_mul(&r, &r, x); fp_add(&r, &r, &B1);
    return fp_eq(&l, &r);
}

static int g2_on_curve(const fp2 *x, const fp2 *y) {
    fp2 l, r;
    fp2_sqr(&l, y);
    fp2_sqr(&r, x); fp2_mul(&r, &r, x); fp2_add(&r, &r, &B2);
    return fp2_eq(&l, &r);
}

/* 64 bytes -> affine G1 point; returns 0 invalid, 1 finite, 2 infinity ((0, 0)) */
static int g1_decode(fp *x, fp *y, const uint8_t *in) {
    if (!fp_from_bytes(x, in) || !fp_from_bytes(y, in + 32)) return 0;
    if (fp_is_zero(x) && fp_is_zero(y)) return 2;
    return g1_on_curve(x, y) ? 1 : 0;
}

static void g1_encode(uint8_t *out, const g1_jac *p) {
    if (fp_is_zero(&p->z)) { memset(out, 0, 64); return; }
    fp zi, zi2, x, y;
    fp_inv(&zi, &p->z);
    fp_mul(&zi2, &zi, &zi);
    fp_mul(&x, &p->x, &zi2);
    fp_mul(&y, &p->y, &zi2); fp_mul(&y, &y, &zi);
    fp_to_bytes(out, &x);
    fp_to_bytes(out + 32, &y);
}

/* 128 bytes (x_imaginary, x_real, y_imaginary, y_real) -> affine twist point in the order-r
 * subgroup; returns 0 invalid, 1 finite, 2 infinity (all zero) */
static int g2_decode(fp2 *x, fp2 *y, const uint8_t *in) {
    if (!fp_from_bytes(&x->b, in) || !fp_from_bytes(&x->a, in + 32) || !fp_from_bytes(&y->b, in + 64) ||
        !fp_from_bytes(&y->a, in + 96))
        return 0;
    if (fp2_is_zero(x) && fp2_is_zero(y)) return 2;
    if (!g2_on_curve(x, y)) return 0;
    fp2 one = {ONE, {{0, 0, 0, 0}}};
    g2_jac rq;
    g2_mul_scalar(&rq, x, y, R_BYTES, 32, &one);
    return fp2_is_zero(&rq.z) ? 1 : 0;
}


#endif
