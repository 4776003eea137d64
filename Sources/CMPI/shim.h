// Open MPI for Swift: only with the package trait MPI (docs/distributed.md). MPI_COMM_WORLD, the datatypes
// and the operations are macros over addresses of library globals, which Swift cannot import, so each is
// wrapped in an inline function here.
#include <mpi.h>

static inline MPI_Comm murmur_mpi_comm_world(void) { return MPI_COMM_WORLD; }
static inline MPI_Datatype murmur_mpi_byte(void) { return MPI_BYTE; }
static inline MPI_Datatype murmur_mpi_float(void) { return MPI_FLOAT; }
static inline MPI_Datatype murmur_mpi_uint64(void) { return MPI_UINT64_T; }
static inline MPI_Op murmur_mpi_sum(void) { return MPI_SUM; }
static inline MPI_Status *murmur_mpi_status_ignore(void) { return MPI_STATUS_IGNORE; }
static inline MPI_Errhandler murmur_mpi_errors_return(void) { return MPI_ERRORS_RETURN; }
static inline int murmur_mpi_thread_funneled(void) { return MPI_THREAD_FUNNELED; }
static inline int murmur_mpi_success(void) { return MPI_SUCCESS; }
static inline int murmur_mpi_max_error_string(void) { return MPI_MAX_ERROR_STRING; }
