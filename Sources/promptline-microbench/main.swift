// promptline-microbench: `make bench`'s microbenchmark of the JSON parser (see JSONParserBenchmark).
import Promptline

for row in JSONParserBenchmark.run() { print(row) }
