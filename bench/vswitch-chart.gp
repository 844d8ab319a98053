# The VM switch benchmark's chart: on SoftNic, Mpps per core of the switch's threads per case and rule count; on veth,
# CPU per packet of each switch (ours on AF_XDP, the Linux bridge, Open vSwitch, the generator's floor); whiskers are
# the range across rounds. Called by bench/run.sh vswitch:
#   gnuplot -e "data='bench/results/vswitch.tsv'; out='bench/results/vswitch'; caption='...'" bench/vswitch-chart.gp
# data: "platform<TAB>label<TAB>value<TAB>low<TAB>high" under a header line; writes out.png (pngcairo) and out.svg.
set datafile separator "\t"
set style fill solid 0.8 border -1
set boxwidth 0.7
set grid ytics
set xtics rotate by -35 left font ",9"
set yrange [0:*]
set bmargin 9
rows(platform) = sprintf("< awk -F'\t' 'NR > 1 && $1 == \"%s\"' '%s'", platform, data)
has(platform) = real(system(sprintf("awk -F'\t' 'NR > 1 && $1 == \"%s\"' '%s' | wc -l", platform, data)))
set terminal pngcairo size 1280,560 font "sans,11"
set output out.".png"
set multiplot layout 1,2 title "VM switch: forwarding cost with 0 (VFP off), 10 and 10,000 VFP rules per port\n{/*0.8 ".caption."}"
set title "SoftNic: Mpps per core of the switch's threads (higher is better)"
set ylabel "Mpps per core"
plot rows("softnic") using 0:3:xtic(2) with boxes linecolor rgb "#2b6cb0" notitle, '' using 0:3:4:5 with yerrorbars linecolor rgb "black" pointtype -1 notitle
set title "veth: CPU per delivered packet (lower is better)"
set ylabel "ns per packet"
if (has("veth") > 0) { plot rows("veth") using 0:3:xtic(2) with boxes linecolor rgb "#c05621" notitle, '' using 0:3:4:5 with yerrorbars linecolor rgb "black" pointtype -1 notitle } else { set label "veth not run" at graph 0.5, graph 0.5 center; plot 2 notitle with dots }
unset multiplot
set terminal svg size 1280,560 dynamic font "sans,11"
set output out.".svg"
unset label
set multiplot layout 1,2 title "VM switch: forwarding cost with 0 (VFP off), 10 and 10,000 VFP rules per port\n{/*0.8 ".caption."}"
set title "SoftNic: Mpps per core of the switch's threads (higher is better)"
set ylabel "Mpps per core"
plot rows("softnic") using 0:3:xtic(2) with boxes linecolor rgb "#2b6cb0" notitle, '' using 0:3:4:5 with yerrorbars linecolor rgb "black" pointtype -1 notitle
set title "veth: CPU per delivered packet (lower is better)"
set ylabel "ns per packet"
if (has("veth") > 0) { plot rows("veth") using 0:3:xtic(2) with boxes linecolor rgb "#c05621" notitle, '' using 0:3:4:5 with yerrorbars linecolor rgb "black" pointtype -1 notitle } else { set label "veth not run" at graph 0.5, graph 0.5 center; plot 2 notitle with dots }
unset multiplot
