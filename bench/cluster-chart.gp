# The cluster benchmark's chart: the CDF of filter-push latency per number of nodes, beside etcd's own put → watch
# round trip on the same cluster, with the 50 ms target. Called by bench/run.sh cluster:
#   gnuplot -e "data='bench/results/cluster-push.tsv'; out='bench/results/cluster'; caption='...'" bench/cluster-chart.gp
# data: one sample a line, "nodes<TAB>push|etcd<TAB>ms" under a header line; writes out.png (pngcairo) and out.svg.
# The axis is logarithmic from 0.1 ms: a sample below (a push applied before the admin endpoint's answer arrived counts
# as 0 ms) is drawn at its left edge.
set datafile separator "\t"
set logscale x
set xrange [0.1:*]
edge(ms) = ms < 0.1 ? 0.1 : ms
set xlabel "milliseconds from the committed write (log scale)"
set ylabel "fraction of samples"
set yrange [0:1.02]
set grid xtics ytics mxtics
set key top left
set linetype 3 linecolor rgb "#2b6cb0"
set linetype 5 linecolor rgb "#c05621"
set title "Filter push until every node's status shows it applied (CDF)\n{/*0.8 ".caption."}"
set arrow from 50, graph 0 to 50, graph 1 nohead dashtype 2 linecolor rgb "#c53030"
set label "target: p99 < 50 ms on 3 nodes" at 50, graph 0.06 left offset 0.5,0 textcolor rgb "#c53030"
nodes = system("awk -F'\t' 'NR > 1 { print $1 }' '".data."' | sort -nu | tr '\\n' ' '")
count(n, series) = real(system(sprintf("awk -F'\t' '$1 == %s && $2 == \"%s\"' '%s' | wc -l", n, series, data)))
sorted(n, series) = sprintf("< awk -F'\t' '$1 == %s && $2 == \"%s\" { print $3 }' '%s' | sort -g", n, series, data)
set terminal pngcairo size 960,600 font "sans,11"
set output out.".png"
plot for [n in nodes] sorted(n, "push") using (edge($1)):(1.0 / count(n, "push")) smooth cumulative linewidth 2 linecolor (n + 0) title sprintf("filter push, %s nodes", n), \
     for [n in nodes] sorted(n, "etcd") using (edge($1)):(1.0 / count(n, "etcd")) smooth cumulative dashtype 3 linewidth 1.5 linecolor (n + 0) title sprintf("etcd put → watch (beside %s nodes)", n)
set terminal svg size 960,600 dynamic font "sans,11"
set output out.".svg"
replot
