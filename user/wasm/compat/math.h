/* math.h - empty for Ring 3 builds of host sources that include it without
 * calling libm (the spec runner; the engine has its own float helpers). */
#ifndef USER_WASM_COMPAT_MATH_H
#define USER_WASM_COMPAT_MATH_H
#endif
