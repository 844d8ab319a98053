# The failover chart: the gap in delivered packets of every repetition, one column per case, with each case's target
# and the keepalived/VRRP default quoted as an anchor. Called by bench/run.sh cluster:
#   gnuplot -e "data='bench/results/cluster-failover.tsv'; out='bench/results/cluster-failover'; caption='...'" bench/cluster-failover.gp
# data: one gap a line, "case<TAB>repeat<TAB>ms<TAB>target_ms" under a header line; writes out.png (pngcairo) and out.svg.
set datafile separator "\t"
set logscale y
set yrange [1:10000]
set xrange [0.5:3.5]
set xtics ("team survivor\n(a team NIC pulled)" 1, "another host\n(its only NIC pulled)" 2, "another host\n(its node killed)" 3)
set ylabel "gap in delivered packets, ms (log scale)"
set grid ytics mytics
set key bottom right
set bmargin 5
set title "Failover: the longest gap in delivered packets, every repetition\n{/*0.8 ".caption."}"
column_of(c) = c eq "team" ? 1 : c eq "nic-loss" ? 2 : 3
target(c) = system(sprintf("awk -F'\t' '$1 == \"%s\" { print $4; exit }' '%s'", c, data))
do for [c in "team nic-loss node-death"] {
  t = target(c)
  if (strlen(t) > 0) {
    set arrow from column_of(c) - 0.35, real(t) to column_of(c) + 0.35, real(t) nohead dashtype 2 linewidth 2 linecolor rgb "#c53030"
    set label sprintf("target < %s ms", t) at column_of(c), real(t) * 1.18 center font ",9" textcolor rgb "#c53030"
  }
}
set arrow from graph 0, first 3600 to graph 1, first 3600 nohead dashtype 3 linecolor rgb "#718096"
set label "keepalived/VRRP default, about 3.6 s (quoted)" at graph 0.02, first 4200 left font ",9" textcolor rgb "#4a5568"
set terminal pngcairo size 960,600 font "sans,11"
set output out.".png"
plot data skip 1 using (column_of(strcol(1)) + (column(2) - 3) * 0.06):3 with points pointtype 7 pointsize 1.2 linecolor rgb "#2b6cb0" title "one repetition"
set terminal svg size 960,600 dynamic font "sans,11"
set output out.".svg"
replot
