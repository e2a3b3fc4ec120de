/* BN254 fields for _bn254.c: Fp (Montgomery, four 64-bit limbs), Fp2, Fp6 (for the inverse) and
 * Fp12, and the constants derived from p when the module loads. Included once, by _bn254.c. */
#ifndef WV_BN254_FIELDS_H
#define WV_BN254_FIELDS_H
#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;
typedef struct { uint64_t v[4]; } fp;
typedef struct { fp a, b; } fp2;          /* a + b u */
typedef struct { fp2 c[6]; } fp12;        /* sum c[i] w^i */
typedef struct { fp2 c[3]; } fp6;         /* sum c[i] v^i */

static const fp P = {{0x3c208c16d87cfd47ULL, 0x97816a916871ca8dULL, 0xb85045b68181585dULL, 0x30644e72e131a029ULL}};
/* the group order r: the G2 subgroup check multiplies by it */
static const uint8_t R_BYTES[32] = {
    0x30, 0x64, 0x4e, 0x72, 0xe1, 0x31, 0xa0, 0x29, 0xb8, 0x50, 0x45, 0xb6, 0x81, 0x81, 0x58, 0x5d,
    0x28, 0x33, 0xe8, 0x48, 0x79, 0xb9, 0x70, 0x91, 0x43, 0xe1, 0xf5, 0x93, 0xf0, 0x00, 0x00, 0x01};
/* 6u + 2 = 2^64 + ATE_LO, u = 4965661367192848881: the Miller loop's count */
static const uint64_t ATE_LO = 0x9d797039be763ba8ULL;   /* below the top bit, 2^64 */

static uint64_t INV;                  /* -p^-1 mod 2^64 */
static fp R2, ONE;                    /* R^2 mod p; 1 in Montgomery form */
static fp2 XI, B2, G12, G13;          /* 9 + u; 3/xi; xi^((p-1)/3); xi^((p-1)/2) */
static fp2 GAMMA[6];                  /* xi^(i (p-1)/6): w^(i p) = w^i GAMMA[i] (the Frobenius) */
static fp B1;                         /* 3 */

/* ---- Fp ------------------------------------------------------------------------------------ */
static int fp_geq_p(const uint64_t *t) {
    for (int i = 3; i >= 0; i--) {
        if (t[i] != P.v[i]) return t[i] > P.v[i];
    }
    return 1;
}

static void sub_p(uint64_t *t) {
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)t[i] - P.v[i] - borrow;
        t[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
}

static void fp_add(fp *r, const fp *x, const fp *y) {
    uint64_t carry = 0;
    for (int i = 0; i < 4; i++) {
        u128 s = (u128)x->v[i] + y->v[i] + carry;
        r->v[i] = (uint64_t)s;
        carry = (uint64_t)(s >> 64);
    }
    if (fp_geq_p(r->v)) sub_p(r->v);   /* x + y < 2p < 2^255: no carry out */
}

static void fp_sub(fp *r, const fp *x, const fp *y) {
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        u128 d = (u128)x->v[i] - y->v[i] - borrow;
        r->v[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    if (borrow) {
        uint64_t carry = 0;
        for (int i = 0; i < 4; i++) {
            u128 s = (u128)r->v[i] + P.v[i] + carry;
            r->v[i] = (uint64_t)s;
            carry = (uint64_t)(s >> 64);
        }
    }
}

static int fp_is_zero(const fp *x) { return (x->v[0] | x->v[1] | x->v[2] | x->v[3]) == 0; }
static int fp_eq(const fp *x, const fp *y) { return memcmp(x, y, sizeof(fp)) == 0; }

static void fp_neg(fp *r, const fp *x) {
    fp zero = {{0, 0, 0, 0}};
    fp_sub(r, &zero, x);
}

/* Montgomery product x y R^-1 mod p (CIOS) */
static void fp_mul(fp *r, const fp *x, const fp *y) {
    uint64_t t[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        uint64_t c = 0;
        for (int j = 0; j < 4; j++) {
            u128 s = (u128)x->v[j] * y->v[i] + t[j] + c;
            t[j] = (uint64_t)s;
            c = (uint64_t)(s >> 64);
        }
        u128 s = (u128)t[4] + c;
        t[4] = (uint64_t)s;
        t[5] = (uint64_t)(s >> 64);
        uint64_t m = t[0] * INV;
        s = (u128)m * P.v[0] + t[0];
        c = (uint64_t)(s >> 64);
        for (int j = 1; j < 4; j++) {
            s = (u128)m * P.v[j] + t[j] + c;
            t[j - 1] = (uint64_t)s;
            c = (uint64_t)(s >> 64);
        }
        s = (u128)t[4] + c;
        t[3] = (uint64_t)s;
        t[4] = t[5] + (uint64_t)(s >> 64);
    }
    if (t[4] || fp_geq_p(t)) sub_p(t);
    memcpy(r->v, t, sizeof(r->v));
}

/* x^e, e given as big-endian bytes */
static void fp_pow(fp *r, const fp *x, const uint8_t *e, size_t n) {
    fp acc = ONE, base = *x;
    for (size_t i = 0; i < n; i++) {
        for (int bit = 7; bit >= 0; bit--) {
            fp_mul(&acc, &acc, &acc);
            if ((e[i] >> bit) & 1) fp_mul(&acc, &acc, &base);
        }
    }
    *r = acc;
}

static void limbs_to_be(uint8_t *out, const uint64_t *v) {
    for (int i = 0; i < 4; i++) {
        for (int k = 0; k < 8; k++) out[31 - (8 * i + k)] = (uint8_t)(v[i] >> (8 * k));
    }
}

static void be_to_limbs(uint64_t *v, const uint8_t *in) {
    for (int i = 0; i < 4; i++) {
        v[i] = 0;
        for (int k = 7; k >= 0; k--) v[i] = (v[i] << 8) | in[31 - (8 * i + k)];
    }
}

static void fp_inv(fp *r, const fp *x) {   /* x^(p-2); 0 -> 0 */
    uint8_t e[32];
    uint64_t pm2[4];
    memcpy(pm2, P.v, sizeof(pm2));
    pm2[0] -= 2;
    limbs_to_be(e, pm2);
    fp_pow(r, x, e, 32);
}

/* 32 big-endian bytes -> Montgomery form; 0 when the value is not below p */
static int fp_from_bytes(fp *r, const uint8_t *in) {
    be_to_limbs(r->v, in);
    if (fp_geq_p(r->v)) return 0;
    fp_mul(r, r, &R2);
    return 1;
}

static void fp_to_bytes(uint8_t *out, const fp *x) {
    fp one_plain = {{1, 0, 0, 0}}, n;
    fp_mul(&n, x, &one_plain);
    limbs_to_be(out, n.v);
}

/* ---- Fp2 ----------------------------------------------------------------------------------- */
static void fp2_add(fp2 *r, const fp2 *x, const fp2 *y) { fp_add(&r->a, &x->a, &y->a); fp_add(&r->b, &x->b, &y->b); }
static void fp2_sub(fp2 *r, const fp2 *x, const fp2 *y) { fp_sub(&r->a, &x->a, &y->a); fp_sub(&r->b, &x->b, &y->b); }
static void fp2_neg(fp2 *r, const fp2 *x) { fp_neg(&r->a, &x->a); fp_neg(&r->b, &x->b); }
static void fp2_conj(fp2 *r, const fp2 *x) { r->a = x->a; fp_neg(&r->b, &x->b); }
static int fp2_is_zero(const fp2 *x) { return fp_is_zero(&x->a) && fp_is_zero(&x->b); }
static int fp2_eq(const fp2 *x, const fp2 *y) { return fp_eq(&x->a, &y->a) && fp_eq(&x->b, &y->b); }

static void fp2_mul(fp2 *r, const fp2 *x, const fp2 *y) {
    fp t0, t1, sx, sy, m;
    fp_mul(&t0, &x->a, &y->a);
    fp_mul(&t1, &x->b, &y->b);
    fp_add(&sx, &x->a, &x->b);
    fp_add(&sy, &y->a, &y->b);
    fp_mul(&m, &sx, &sy);
    fp_sub(&r->a, &t0, &t1);
    fp_sub(&m, &m, &t0);
    fp_sub(&r->b, &m, &t1);
}

static void fp2_sqr(fp2 *r, const fp2 *x) {
    fp s, d, ab;
    fp_add(&s, &x->a, &x->b);
    fp_sub(&d, &x->a, &x->b);
    fp_mul(&ab, &x->a, &x->b);
    fp_mul(&r->a, &s, &d);
    fp_add(&r->b, &ab, &ab);
}

static void fp2_mul_fp(fp2 *r, const fp2 *x, const fp *k) { fp_mul(&r->a, &x->a, k); fp_mul(&r->b, &x->b, k); }

static void fp2_inv(fp2 *r, const fp2 *x) {
    fp n, t, i;
    fp_mul(&n, &x->a, &x->a);
    fp_mul(&t, &x->b, &x->b);
    fp_add(&n, &n, &t);
    fp_inv(&i, &n);
    fp_mul(&r->a, &x->a, &i);
    fp_mul(&t, &x->b, &i);
    fp_neg(&r->b, &t);
}

static void fp2_mul_xi(fp2 *r, const fp2 *x) {   /* (a + b u)(9 + u) = (9a - b) + (a + 9b) u */
    fp a9, b9, t;
    fp_add(&t, &x->a, &x->a); fp_add(&t, &t, &t); fp_add(&t, &t, &t); fp_add(&a9, &t, &x->a);
    fp_add(&t, &x->b, &x->b); fp_add(&t, &t, &t); fp_add(&t, &t, &t); fp_add(&b9, &t, &x->b);
    fp na;
    fp_sub(&na, &a9, &x->b);
    fp_add(&r->b, &x->a, &b9);
    r->a = na;
}

static void fp2_pow(fp2 *r, const fp2 *x, const uint8_t *e, size_t n) {
    fp2 acc = {ONE, {{0, 0, 0, 0}}}, base = *x;
    for (size_t i = 0; i < n; i++) {
        for (int bit = 7; bit >= 0; bit--) {
            fp2_sqr(&acc, &acc);
            if ((e[i] >> bit) & 1) fp2_mul(&acc, &acc, &base);
        }
    }
    *r = acc;
}

/* ---- Fp6 (only for the Fp12 inverse) ------------------------------------------------------- */
static void fp6_mul(fp6 *r, const fp6 *x, const fp6 *y) {
    fp2 t[5], m;
    memset(t, 0, sizeof(t));
    for (int i = 0; i < 3; i++) {
        for (int j = 0; j < 3; j++) {
            fp2_mul(&m, &x->c[i], &y->c[j]);
            fp2_add(&t[i + j], &t[i + j], &m);
        }
    }
    for (int k = 0; k < 2; k++) {   /* v^3 = xi */
        fp2_mul_xi(&m, &t[k + 3]);
        fp2_add(&r->c[k], &t[k], &m);
    }
    r->c[2] = t[2];
}

static void fp6_mul_v(fp6 *r, const fp6 *x) {   /* (c0 + c1 v + c2 v^2) v */
    fp6 t;
    fp2_mul_xi(&t.c[0], &x->c[2]);
    t.c[1] = x->c[0];
    t.c[2] = x->c[1];
    *r = t;
}

static void fp6_inv(fp6 *r, const fp6 *x) {
    fp2 c0, c1, c2, t, u, n;
    fp2_sqr(&c0, &x->c[0]); fp2_mul(&t, &x->c[1], &x->c[2]); fp2_mul_xi(&t, &t); fp2_sub(&c0, &c0, &t);
    fp2_sqr(&c1, &x->c[2]); fp2_mul_xi(&c1, &c1); fp2_mul(&t, &x->c[0], &x->c[1]); fp2_sub(&c1, &c1, &t);
    fp2_sqr(&c2, &x->c[1]); fp2_mul(&t, &x->c[0], &x->c[2]); fp2_sub(&c2, &c2, &t);
    fp2_mul(&n, &x->c[2], &c1); fp2_mul(&u, &x->c[1], &c2); fp2_add(&n, &n, &u); fp2_mul_xi(&n, &n);
    fp2_mul(&u, &x->c[0], &c0); fp2_add(&n, &n, &u);
    fp2_inv(&n, &n);
    fp2_mul(&r->c[0], &c0, &n);
    fp2_mul(&r->c[1], &c1, &n);
    fp2_mul(&r->c[2], &c2, &n);
}

/* ---- Fp12 ---------------------------------------------------------------------------------- */
static void fp12_one(fp12 *r) {
    memset(r, 0, sizeof(*r));
    r->c[0].a = ONE;
}

static void fp12_mul(fp12 *r, const fp12 *x, const fp12 *y) {
    fp2 t[11], m;
    memset(t, 0, sizeof(t));
    for (int i = 0; i < 6; i++) {
        if (fp2_is_zero(&x->c[i])) continue;
        for (int j = 0; j < 6; j++) {
            if (fp2_is_zero(&y->c[j])) continue;
            fp2_mul(&m, &x->c[i], &y->c[j]);
            fp2_add(&t[i + j], &t[i + j], &m);
        }
    }
    for (int k = 0; k < 5; k++) {   /* w^6 = xi */
        fp2_mul_xi(&m, &t[k + 6]);
        fp2_add(&r->c[k], &t[k], &m);
    }
    r->c[5] = t[5];
}

static void fp12_sqr(fp12 *r, const fp12 *x) {
    fp2 t[11], m;
    memset(t, 0, sizeof(t));
    for (int i = 0; i < 6; i++) {
        fp2_sqr(&m, &x->c[i]);
        fp2_add(&t[2 * i], &t[2 * i], &m);
        for (int j = i + 1; j < 6; j++) {
            fp2_mul(&m, &x->c[i], &x->c[j]);
            fp2_add(&t[i + j], &t[i + j], &m);
            fp2_add(&t[i + j], &t[i + j], &m);
        }
    }
    for (int k = 0; k < 5; k++) {
        fp2_mul_xi(&m, &t[k + 6]);
        fp2_add(&r->c[k], &t[k], &m);
    }
    r->c[5] = t[5];
}

static void fp12_conj(fp12 *r, const fp12 *x) {   /* the p^6-power Frobenius: w -> -w */
    for (int i = 0; i < 6; i++) {
        if (i & 1) fp2_neg(&r->c[i], &x->c[i]);
        else r->c[i] = x->c[i];
    }
}

static void fp12_inv(fp12 *r, const fp12 *x) {   /* (a + b w)^-1 = (a - b w) / (a^2 - b^2 v) */
    fp6 a = {{x->c[0], x->c[2], x->c[4]}}, b = {{x->c[1], x->c[3], x->c[5]}}, aa, bb, d;
    fp6_mul(&aa, &a, &a);
    fp6_mul(&bb, &b, &b);
    fp6_mul_v(&bb, &bb);
    for (int i = 0; i < 3; i++) fp2_sub(&d.c[i], &aa.c[i], &bb.c[i]);
    fp6_inv(&d, &d);
    fp6_mul(&a, &a, &d);
    fp6_mul(&b, &b, &d);
    for (int i = 0; i < 3; i++) {
        r->c[2 * i] = a.c[i];
        fp2_neg(&r->c[2 * i + 1], &b.c[i]);
    }
}

static void fp12_frob(fp12 *r, const fp12 *x) {   /* x^p: (c w^i)^p = conj(c) GAMMA[i] w^i */
    for (int i = 0; i < 6; i++) {
        fp2 t;
        fp2_conj(&t, &x->c[i]);
        fp2_mul(&r->c[i], &t, &GAMMA[i]);
    }
}

static int fp12_is_one(const fp12 *x) {
    if (!fp_eq(&x->c[0].a, &ONE) || !fp_is_zero(&x->c[0].b)) return 0;
    for (int i = 1; i < 6; i++) {
        if (!fp2_is_zero(&x->c[i])) return 0;
    }
    return 1;
}

/* the constants, from p alone */
static void init_constants(void) {
    uint64_t inv = 1;   /* Newton: p^-1 mod 2^64 */
    for (int i = 0; i < 6; i++) inv *= 2 - P.v[0] * inv;
    INV = (uint64_t)0 - inv;
    fp x = {{1, 0, 0, 0}};   /* 2^512 mod p by doubling, plain integers */
    for (int i = 0; i < 512; i++) {
        uint64_t carry = 0;
        for (int j = 0; j < 4; j++) {
            uint64_t nc = x.v[j] >> 63;
            x.v[j] = (x.v[j] << 1) | carry;
            carry = nc;
        }
        if (fp_geq_p(x.v)) sub_p(x.v);
    }
    R2 = x;
    fp one_plain = {{1, 0, 0, 0}};
    fp_mul(&ONE, &one_plain, &R2);
    fp three;
    fp_add(&three, &ONE, &ONE); fp_add(&three, &three, &ONE);
    B1 = three;
    fp nine = three;
    fp_mul(&nine, &nine, &three);
    XI.a = nine; XI.b = ONE;
    fp2 xi_inv;
    fp2_inv(&xi_inv, &XI);
    fp2_mul_fp(&B2, &xi_inv, &three);
    /* (p - 1) / 3, (p - 1) / 2 and (p - 1) / 6 (p = 1 mod 6) */
    uint64_t pm1[4], third[4], half[4], sixth[4];
    memcpy(pm1, P.v, sizeof(pm1));
    pm1[0] -= 1;
    u128 rem = 0;
    for (int i = 3; i >= 0; i--) {
        u128 cur = (rem << 64) | pm1[i];
        third[i] = (uint64_t)(cur / 3);
        rem = cur % 3;
    }
    rem = 0;
    for (int i = 3; i >= 0; i--) {
        u128 cur = (rem << 64) | pm1[i];
        sixth[i] = (uint64_t)(cur / 6);
        rem = cur % 6;
    }
    for (int i = 0; i < 4; i++) half[i] = (pm1[i] >> 1) | (i < 3 ? pm1[i + 1] << 63 : 0);
    uint8_t e[32];
    limbs_to_be(e, third);
    fp2_pow(&G12, &XI, e, 32);
    limbs_to_be(e, half);
    fp2_pow(&G13, &XI, e, 32);
    memset(&GAMMA[0], 0, sizeof(fp2));
    GAMMA[0].a = ONE;
    limbs_to_be(e, sixth);
    fp2_pow(&GAMMA[1], &XI, e, 32);
    for (int i = 2; i < 6; i++) fp2_mul(&GAMMA[i], &GAMMA[i - 1], &GAMMA[1]);
}

#endif
