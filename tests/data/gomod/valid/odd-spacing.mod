module   example.com/spacing   



go    1.21	
   toolchain	go1.21.5  
require	(
        example.com/b     v1.0.0
  	example.com/a v1.0.0    // indirect   
				example.com/c	v1.0.0
   )   



require example.com/d v1.0.0		
