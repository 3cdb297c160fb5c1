module example.com/large

go 1.21

require (
	example.com/Gamma/pkg000 v1.13.27
	example.com/beta/pkg001 v3.11.21+incompatible // indirect; transitive
	example.com/delta/pkg002 v1.4.2 // indirect
	example.com/z_z/pkg003 v1.7.21 // indirect
	example.com/alpha/pkg004 v0.15.26 // indirect
	example.com/alpha/pkg005 v2.9.0+incompatible // indirect
	example.com/eps-ilon/pkg006 v3.17.11+incompatible
	example.com/alpha/pkg007 v1.16.30
	example.com/Gamma/pkg008 v3.17.12+incompatible // indirect; transitive
	example.com/eps-ilon/pkg009 v3.12.3+incompatible // indirect; transitive
	example.com/alpha/pkg010 v3.1.6+incompatible
	example.com/eps-ilon/pkg011 v1.14.5
	example.com/beta/pkg012 v2.19.1+incompatible
	example.com/alpha/pkg013 v0.18.4
	example.com/alpha/pkg014 v2.19.0+incompatible
	example.com/delta/pkg015 v1.19.12 // indirect
	example.com/delta/pkg016 v2.11.19+incompatible
	example.com/alpha/pkg017 v3.3.3+incompatible // indirect; transitive
	example.com/beta/pkg018 v3.15.15+incompatible
	example.com/alpha/pkg019 v0.4.3
	example.com/eps-ilon/pkg020 v2.15.26+incompatible // indirect
	example.com/delta/pkg021 v0.6.30
	example.com/alpha/pkg022 v1.17.29
	example.com/eps-ilon/pkg023 v2.20.27+incompatible
	example.com/alpha/pkg024 v2.16.11+incompatible // indirect
	example.com/beta/pkg025 v2.7.17+incompatible
	example.com/z_z/pkg026 v1.19.25 // indirect
	example.com/z_z/pkg027 v1.12.23 // indirect
	example.com/eps-ilon/pkg028 v1.16.15
	example.com/alpha/pkg029 v0.0.25
	example.com/eps-ilon/pkg030 v3.8.6+incompatible
	example.com/eps-ilon/pkg031 v3.11.30+incompatible
	example.com/delta/pkg032 v0.7.3 // indirect
	example.com/alpha/pkg033 v3.6.10+incompatible // indirect
	example.com/beta/pkg034 v3.19.28+incompatible
	example.com/alpha/pkg035 v3.20.11+incompatible
	example.com/eps-ilon/pkg036 v0.12.25 // indirect
	example.com/beta/pkg037 v3.5.13+incompatible
	example.com/Gamma/pkg038 v0.12.14 // indirect; transitive
	example.com/delta/pkg039 v0.5.5 // indirect
	example.com/beta/pkg040 v0.4.18 // indirect; transitive
	example.com/eps-ilon/pkg041 v1.19.26 // indirect; transitive
	example.com/alpha/pkg042 v2.4.17+incompatible // indirect
	example.com/eps-ilon/pkg043 v0.0.25
	example.com/Gamma/pkg044 v1.13.27 // indirect
	example.com/eps-ilon/pkg045 v1.0.8 // indirect
	example.com/z_z/pkg046 v2.16.7+incompatible
	example.com/beta/pkg047 v2.17.13+incompatible // indirect
	example.com/alpha/pkg048 v0.11.28 // indirect; transitive
	example.com/eps-ilon/pkg049 v3.16.4+incompatible // indirect
	example.com/eps-ilon/pkg050 v0.14.24 // indirect
	example.com/z_z/pkg051 v0.4.5 // indirect
	example.com/beta/pkg052 v3.19.23+incompatible
	example.com/Gamma/pkg053 v0.10.21 // indirect; transitive
	example.com/alpha/pkg054 v0.17.1 // indirect
	example.com/eps-ilon/pkg055 v1.8.1
	example.com/z_z/pkg056 v3.17.0+incompatible
	example.com/alpha/pkg057 v3.10.19+incompatible // indirect
	example.com/eps-ilon/pkg058 v2.14.16+incompatible // indirect; transitive
	example.com/alpha/pkg059 v1.16.28
	example.com/eps-ilon/pkg060 v1.14.4 // indirect; transitive
	example.com/beta/pkg061 v0.12.14
	example.com/delta/pkg062 v0.7.13
	example.com/z_z/pkg063 v1.9.25
	example.com/eps-ilon/pkg064 v1.20.21
	example.com/delta/pkg065 v1.8.28 // indirect
	example.com/Gamma/pkg066 v3.7.23+incompatible
	example.com/delta/pkg067 v3.15.5+incompatible // indirect
	example.com/eps-ilon/pkg068 v1.13.16 // indirect; transitive
	example.com/delta/pkg069 v2.13.6+incompatible
	example.com/Gamma/pkg070 v2.2.23+incompatible
	example.com/Gamma/pkg071 v0.10.17 // indirect; transitive
	example.com/beta/pkg072 v3.0.12+incompatible
	example.com/beta/pkg073 v2.16.30+incompatible
	example.com/z_z/pkg074 v0.7.28
	example.com/beta/pkg075 v0.8.8
	example.com/alpha/pkg076 v1.8.24 // indirect
	example.com/eps-ilon/pkg077 v3.8.12+incompatible // indirect
	example.com/Gamma/pkg078 v3.10.2+incompatible
	example.com/eps-ilon/pkg079 v0.5.13
	example.com/delta/pkg080 v2.0.20+incompatible
	example.com/Gamma/pkg081 v2.2.19+incompatible // indirect
	example.com/z_z/pkg082 v0.8.27
	example.com/delta/pkg083 v3.0.10+incompatible // indirect; transitive
	example.com/Gamma/pkg084 v2.19.4+incompatible
	example.com/eps-ilon/pkg085 v1.3.5
	example.com/alpha/pkg086 v0.5.6
	example.com/alpha/pkg087 v2.16.24+incompatible // indirect
	example.com/eps-ilon/pkg088 v2.14.16+incompatible // indirect
	example.com/delta/pkg089 v2.11.25+incompatible
	example.com/beta/pkg090 v2.1.0+incompatible
	example.com/Gamma/pkg091 v1.16.15 // indirect
	example.com/beta/pkg092 v3.3.21+incompatible // indirect; transitive
	example.com/delta/pkg093 v3.17.26+incompatible // indirect; transitive
	example.com/delta/pkg094 v2.6.7+incompatible
	example.com/alpha/pkg095 v1.20.4 // indirect; transitive
	example.com/z_z/pkg096 v2.1.26+incompatible // indirect
	example.com/alpha/pkg097 v0.2.20
	example.com/eps-ilon/pkg098 v3.5.1+incompatible
	example.com/eps-ilon/pkg099 v3.16.21+incompatible
	example.com/Gamma/pkg100 v1.9.1 // indirect; transitive
	example.com/Gamma/pkg101 v1.5.8 // indirect; transitive
	example.com/z_z/pkg102 v0.8.11
	example.com/Gamma/pkg103 v2.7.1+incompatible
	example.com/eps-ilon/pkg104 v1.11.5
	example.com/delta/pkg105 v2.12.2+incompatible // indirect; transitive
	example.com/eps-ilon/pkg106 v2.16.20+incompatible // indirect
	example.com/delta/pkg107 v1.16.24
	example.com/alpha/pkg108 v0.8.26
	example.com/alpha/pkg109 v1.12.18
	example.com/Gamma/pkg110 v3.0.9+incompatible
	example.com/delta/pkg111 v1.2.18 // indirect
	example.com/z_z/pkg112 v3.10.23+incompatible // indirect; transitive
	example.com/z_z/pkg113 v1.9.23 // indirect
	example.com/alpha/pkg114 v0.16.20 // indirect; transitive
	example.com/alpha/pkg115 v1.16.24
	example.com/z_z/pkg116 v1.2.0
	example.com/z_z/pkg117 v1.20.11
	example.com/Gamma/pkg118 v3.14.17+incompatible
	example.com/z_z/pkg119 v0.20.17 // indirect
	example.com/eps-ilon/pkg120 v3.8.0+incompatible // indirect; transitive
	example.com/z_z/pkg121 v0.16.28
	example.com/delta/pkg122 v0.15.8
	example.com/Gamma/pkg123 v2.7.23+incompatible // indirect
	example.com/z_z/pkg124 v1.20.14 // indirect; transitive
	example.com/delta/pkg125 v3.2.15+incompatible
	example.com/z_z/pkg126 v0.19.20 // indirect
	example.com/Gamma/pkg127 v0.19.4
	example.com/alpha/pkg128 v2.20.23+incompatible
	example.com/delta/pkg129 v1.0.15
	example.com/Gamma/pkg130 v3.8.21+incompatible
	example.com/beta/pkg131 v1.15.9
	example.com/eps-ilon/pkg132 v3.14.14+incompatible
	example.com/alpha/pkg133 v1.9.2 // indirect; transitive
	example.com/delta/pkg134 v0.9.14
	example.com/alpha/pkg135 v3.8.12+incompatible // indirect
	example.com/beta/pkg136 v1.2.18
	example.com/Gamma/pkg137 v1.16.8
	example.com/beta/pkg138 v1.19.26
	example.com/z_z/pkg139 v0.11.7 // indirect; transitive
	example.com/beta/pkg140 v3.12.0+incompatible // indirect
	example.com/delta/pkg141 v0.15.21 // indirect; transitive
	example.com/delta/pkg142 v3.9.23+incompatible // indirect
	example.com/delta/pkg143 v3.11.12+incompatible
	example.com/alpha/pkg144 v0.10.0
	example.com/beta/pkg145 v2.12.3+incompatible // indirect
	example.com/delta/pkg146 v0.9.8
	example.com/delta/pkg147 v0.12.12
	example.com/eps-ilon/pkg148 v2.13.24+incompatible
	example.com/Gamma/pkg149 v0.8.3
)
