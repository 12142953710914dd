# Latency over time for the drift run of bench_latency:
#   gnuplot -e "csv='out/bench/latency/drift300.csv'; png='docs/latency_drift.png'" bench/latency_plot.gp
set datafile separator ','
set terminal pngcairo size 1000,600
set output png
set title "rill receiver latency, sender clock +300 ppm (target 20 ms, 2.5 ms packets, loopback)"
set xlabel "time (s)"
set ylabel "latency (ms)"
set y2label "resampling ratio - 1 (ppm)"
set y2tics
set ytics nomirror
set key top right
set grid
plot csv using 1:2 every ::1 with lines lw 2 title "latency (queue + resampler + packet age)", \
     csv using 1:3 every ::1 axes x1y2 with lines lw 1 title "ratio (ppm)"
