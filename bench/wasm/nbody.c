/* nbody.c - the n-body simulation (5 bodies, doubles): float arithmetic and sqrt. */
#include "bench.h"

#define PI 3.141592653589793
#define SOLAR_MASS (4 * PI * PI)
#define DAYS 365.24

typedef struct {
    double x, y, z, vx, vy, vz, m;
} body_t;

static body_t bodies[5] = {
    {0, 0, 0, 0, 0, 0, SOLAR_MASS},
    {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01, 1.66007664274403694e-03 * DAYS,
     7.69901118419740425e-03 * DAYS, -6.90460016972063023e-05 * DAYS, 9.54791938424326609e-04 * SOLAR_MASS},
    {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01, -2.76742510726862411e-03 * DAYS,
     4.99852801234917238e-03 * DAYS, 2.30417297573763929e-05 * DAYS, 2.85885980666130812e-04 * SOLAR_MASS},
    {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01, 2.96460137564761618e-03 * DAYS,
     2.37847173959480950e-03 * DAYS, -2.96589568540237556e-05 * DAYS, 4.36624404335156298e-05 * SOLAR_MASS},
    {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01, 2.68067772490389322e-03 * DAYS,
     1.62824170038242295e-03 * DAYS, -9.51592254519715870e-05 * DAYS, 5.15138902046611451e-05 * SOLAR_MASS}};

static double energy(void)
{
    double e = 0;
    for (int i = 0; i < 5; i++) {
        body_t *b = &bodies[i];
        e += 0.5 * b->m * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (int j = i + 1; j < 5; j++) {
            body_t *c = &bodies[j];
            double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
            e -= b->m * c->m / __builtin_sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

unsigned bench_run(void)
{
    double dt = 0.01 * bench_one;
    for (int i = 1; i < 5; i++) {
        bodies[0].vx -= bodies[i].vx * bodies[i].m / SOLAR_MASS;
        bodies[0].vy -= bodies[i].vy * bodies[i].m / SOLAR_MASS;
        bodies[0].vz -= bodies[i].vz * bodies[i].m / SOLAR_MASS;
    }
    for (int step = 0; step < 1000000; step++) {
        for (int i = 0; i < 5; i++) {
            body_t *b = &bodies[i];
            for (int j = i + 1; j < 5; j++) {
                body_t *c = &bodies[j];
                double dx = b->x - c->x, dy = b->y - c->y, dz = b->z - c->z;
                double d2 = dx * dx + dy * dy + dz * dz;
                double mag = dt / (d2 * __builtin_sqrt(d2));
                b->vx -= dx * c->m * mag, b->vy -= dy * c->m * mag, b->vz -= dz * c->m * mag;
                c->vx += dx * b->m * mag, c->vy += dy * b->m * mag, c->vz += dz * b->m * mag;
            }
        }
        for (int i = 0; i < 5; i++) {
            bodies[i].x += dt * bodies[i].vx;
            bodies[i].y += dt * bodies[i].vy;
            bodies[i].z += dt * bodies[i].vz;
        }
    }
    return (unsigned)(int64_t)(energy() * -1e9);
}
