/* interp.c - a small bytecode interpreter (switch dispatch) running a loop
 * program: the classic "interpreter inside the interpreter" workload. */
#include "bench.h"

enum { PUSH, LOAD, STORE, ADD, SUB, MUL, XOR, JNZ, DEC, HALT, AND, SHR };

/* r0 = iterations; r1 = acc; loop: acc = ((acc * 31) ^ r0) + (acc >> 3) & mask; r0-- */
static const int prog[] = {PUSH, 3000000, STORE, 0, /* r0 = n */
                           PUSH, 7, STORE, 1, /* r1 = 7 */
                           /* loop at 8 */
                           LOAD, 1, PUSH, 31, MUL, LOAD, 0, XOR, LOAD, 1, PUSH, 3, SHR, ADD, PUSH, 0x7fffffff, AND,
                           STORE, 1, DEC, 0, LOAD, 0, JNZ, 8, LOAD, 1, HALT};

unsigned bench_run(void)
{
    int stack[64], sp = 0, pc = 0;
    unsigned reg[4] = {0};
    const int *code = prog;
    for (;;) {
        switch (code[pc++]) {
        case PUSH: stack[sp++] = code[pc++] * (int)bench_one; break;
        case LOAD: stack[sp++] = (int)reg[code[pc++]]; break;
        case STORE: reg[code[pc++]] = (unsigned)stack[--sp]; break;
        case ADD: sp--, stack[sp - 1] = (int)((unsigned)stack[sp - 1] + (unsigned)stack[sp]); break;
        case SUB: sp--, stack[sp - 1] = (int)((unsigned)stack[sp - 1] - (unsigned)stack[sp]); break;
        case MUL: sp--, stack[sp - 1] = (int)((unsigned)stack[sp - 1] * (unsigned)stack[sp]); break;
        case XOR: sp--, stack[sp - 1] ^= stack[sp]; break;
        case AND: sp--, stack[sp - 1] &= stack[sp]; break;
        case SHR: sp--, stack[sp - 1] = (int)((unsigned)stack[sp - 1] >> stack[sp]); break;
        case DEC: reg[code[pc++]]--; break;
        case JNZ: {
            int t = code[pc++];
            if (stack[--sp])
                pc = t;
            break;
        }
        case HALT: return (unsigned)stack[sp - 1];
        }
    }
}
