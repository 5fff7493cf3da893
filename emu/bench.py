"""placeholder"""
def add_bench_command(commands):
    pass
