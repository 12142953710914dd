# Flood benchmark plot: RSS over time of every run of bench/flood_run.sh,
# one panel per load level that has runs (1x, 10x, 100x; the unthrottled
# run s6 goes with 100x), one line per scenario. Reads DIR/s*_RATE.csv
# (columns by header name: t_s, rss_kib). Dashed verticals mark the flood's
# start and end (s4's burst sits inside it, s5's fake flood starts 1 s
# later, s7's legitimate stream 2 s later).
#
# usage: gnuplot -e "dir='out/bench/flood'; out='docs/flood_rss.png'; \
#          flood_start=0.5; flood_end=30.5; title_note='...'" bench/flood_plot.gp
if (!exists("dir")) dir = 'out/bench/flood'
if (!exists("out")) out = 'docs/flood_rss.png'
if (!exists("flood_start")) flood_start = 0.5
if (!exists("flood_end")) flood_end = 30.5
if (!exists("title_note")) title_note = ''
if (!exists("run_s")) run_s = flood_end + 8

files(rate) = system(sprintf("ls %s/s*_%s.csv 2>/dev/null", dir, rate))
label(f, rate) = system(sprintf("basename '%s' _%s.csv", f, rate))
# One colour per scenario (sN-...), the same in every panel.
colors = '#7b3294 #1b9e77 #377eb8 #ff7f00 #e41a1c #222222 #a65628'
color(f, rate) = word(colors, int(substr(label(f, rate), 2, 2)))
f1 = files('1x')
f10 = files('10x')
f100 = files('100x').' '.files('max')
panels = (strlen(f1) > 0) + (strlen(f10) > 0) + (strlen(f100) > 1)
if (panels == 0) { print 'flood_plot: no runs in '.dir; exit }

set terminal pngcairo size 1100,(220 + 380 * panels) font ",10" noenhanced
set output out
set datafile separator ','
set key outside right top vertical Left reverse
set grid xtics ytics lc rgb '#dddddd'
set xlabel 'time since the receiver started (s)'
set ylabel 'RSS (MiB)'
set yrange [0:*]
set xrange [0:run_s]
set lmargin 10
set rmargin 30
set arrow 1 from flood_start, graph 0 to flood_start, graph 1 nohead dt 2 lc rgb '#888888'
set arrow 2 from flood_end, graph 0 to flood_end, graph 1 nohead dt 2 lc rgb '#888888'
style = 'with linespoints pt 7 ps 0.5 lw 1.5'

set multiplot layout panels,1 title sprintf("rill receiver RSS under RTP floods over loopback\n%s", title_note)
if (strlen(f1) > 0) {
  set title '1x (345 packets/s)'
  plot for [f in f1] f using 't_s':(column('rss_kib') / 1024.0) @style lc rgb color(f, '1x') \
    title label(f, '1x')
}
if (strlen(f10) > 0) {
  set title '10x (3,450 packets/s)'
  plot for [f in f10] f using 't_s':(column('rss_kib') / 1024.0) @style lc rgb color(f, '10x') \
    title label(f, '10x')
}
if (strlen(f100) > 1) {
  set title '100x (34,500 packets/s); s6: one unthrottled sender'
  plot for [f in f100] f using 't_s':(column('rss_kib') / 1024.0) @style \
    lc rgb (strstrt(f, '_max.csv') ? color(f, 'max') : color(f, '100x')) \
    title (strstrt(f, '_max.csv') ? label(f, 'max') : label(f, '100x'))
}
unset multiplot
