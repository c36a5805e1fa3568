/* invoke.c - a freestanding module (no WASI) for `mnwasm --invoke` tests:
 * results, i64 and f64 arguments, a trap, and a loop stopped by fuel. */
__attribute__((export_name("add"))) int add(int a, int b)
{
    return a + b;
}
__attribute__((export_name("div"))) int divide(int a, int b)
{
    return a / b;
}
__attribute__((export_name("mul64"))) long long mul64(long long a, long long b)
{
    return a * b;
}
__attribute__((export_name("half"))) double half(double x)
{
    return x / 2;
}
__attribute__((export_name("spin"))) void spin(void)
{
    for (volatile int i = 0;; i++)
        ;
}
