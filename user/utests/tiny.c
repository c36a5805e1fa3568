/* The smallest libmnos program: the leak test spawns it a thousand times; proc.spawn_exit times it. */
int main(void)
{
    return 0;
}
