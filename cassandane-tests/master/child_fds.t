#!/usr/bin/perl
# child_fds.t - a service child holds only the descriptors of its contract
# (stdio, STATUS_FD 3, LISTEN_FD 4, LOCK_FD 5), its log file and its client
# connection: nothing of master's (other services' listeners, status pipes,
# the signal pipe, cyrus.conf) leaks into it, and master itself does not
# accumulate descriptors over many connections.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Instance;

skip_unless_built(qw(master testsvc));

my $i = Murder::Instance->new(name => 'childfds', services => [
    { name => 'one', cmd => 'testsvc', prefork => 1 },
    { name => 'two', cmd => 'testsvc', prefork => 2 },
]);
$i->start;

my $c = $i->line_client('one');
my $pid = $c->banner_field('pid');
my %fds = fd_targets($pid);
my $log = $i->log_file;
my @unexpected;
my $seen_socket = 0;
for my $fd (sort { $a <=> $b } keys %fds) {
    next if $fd <= 5;                          # stdio + the contract
    next if $fds{$fd} eq $log;                 # its own log_file
    next if $fds{$fd} =~ /^socket:/ && !$seen_socket++;  # the client
    push @unexpected, "$fd -> $fds{$fd}";
}
is_deeply(\@unexpected, [], "child $pid holds only its contract, log and client")
    or diag(join("\n", map { "$_ -> $fds{$_}" } sort { $a <=> $b } keys %fds));
like($fds{3} // '', qr/^pipe:/, 'fd 3 is the status pipe');
like($fds{4} // '', qr/^socket:/, 'fd 4 is the listening socket');
$c->cmd('QUIT');

# Master's own descriptor count is stable across many connections.
my $before = scalar(keys %{{ fd_targets($i->pid) }});
for (1 .. 30) {
    my $s = $i->line_client('two');
    $s->cmd('QUIT');
}
sleep(1);
my $after = scalar(keys %{{ fd_targets($i->pid) }});
ok($after <= $before + 2, "master fds stable over 30 connections ($before -> $after)");
$i->stop;
done_testing;

# fd_targets - fd number => readlink target for a process
sub fd_targets {
    my ($p) = @_;
    my %t;
    opendir(my $d, "/proc/$p/fd") or return ();
    for my $fd (grep { /^\d+$/ } readdir($d)) {
        my $target = readlink("/proc/$p/fd/$fd");
        $t{$fd} = $target if defined $target;
    }
    return %t;
}
