using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Portal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class RollupsSchema : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "UsageDailyTotals",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Day = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ModelEntryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkspaceKey = table.Column<Guid>(type: "TEXT", nullable: false),
                    Node = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Requests = table.Column<long>(type: "INTEGER", nullable: false),
                    Completed = table.Column<long>(type: "INTEGER", nullable: false),
                    Stopped = table.Column<long>(type: "INTEGER", nullable: false),
                    Failed = table.Column<long>(type: "INTEGER", nullable: false),
                    RefusedByPolicy = table.Column<long>(type: "INTEGER", nullable: false),
                    RefusedByQuota = table.Column<long>(type: "INTEGER", nullable: false),
                    PromptTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletionTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    BusyTicks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageDailyTotals", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UsageDailyTotals_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "UsageMonthlyPersonRollups",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Month = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    UserId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Node = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Requests = table.Column<long>(type: "INTEGER", nullable: false),
                    Completed = table.Column<long>(type: "INTEGER", nullable: false),
                    Stopped = table.Column<long>(type: "INTEGER", nullable: false),
                    Failed = table.Column<long>(type: "INTEGER", nullable: false),
                    RefusedByPolicy = table.Column<long>(type: "INTEGER", nullable: false),
                    RefusedByQuota = table.Column<long>(type: "INTEGER", nullable: false),
                    PromptTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    CompletionTokens = table.Column<long>(type: "INTEGER", nullable: false),
                    BusyTicks = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageMonthlyPersonRollups", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UsageMonthlyPersonRollups_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "UsageMonthlySpeedRollups",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    TenantId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Month = table.Column<DateOnly>(type: "TEXT", nullable: false),
                    ModelEntryId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Measure = table.Column<int>(type: "INTEGER", nullable: false),
                    Bucket = table.Column<int>(type: "INTEGER", nullable: false),
                    Answers = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageMonthlySpeedRollups", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UsageMonthlySpeedRollups_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_UsageSpeedRollups_Day",
                table: "UsageSpeedRollups",
                column: "Day");

            migrationBuilder.CreateIndex(
                name: "IX_UsageDailyRollups_Day",
                table: "UsageDailyRollups",
                column: "Day");

            migrationBuilder.CreateIndex(
                name: "IX_UsageDailyTotals_TenantId_Day_ModelEntryId_WorkspaceKey_Node",
                table: "UsageDailyTotals",
                columns: new[] { "TenantId", "Day", "ModelEntryId", "WorkspaceKey", "Node" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_UsageMonthlyPersonRollups_TenantId_Month_UserId_Node",
                table: "UsageMonthlyPersonRollups",
                columns: new[] { "TenantId", "Month", "UserId", "Node" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_UsageMonthlySpeedRollups_TenantId_Month_ModelEntryId_Measure_Bucket",
                table: "UsageMonthlySpeedRollups",
                columns: new[] { "TenantId", "Month", "ModelEntryId", "Measure", "Bucket" },
                unique: true);

            // Fill the new rollups from the daily rollups an existing database holds (see UsageRollupsDataStep).
            migrationBuilder.Sql(Portal.Data.Migrations.UsageRollupsDataStep.FillFromDailyRollups(migrationBuilder.ActiveProvider));
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "UsageDailyTotals");

            migrationBuilder.DropTable(
                name: "UsageMonthlyPersonRollups");

            migrationBuilder.DropTable(
                name: "UsageMonthlySpeedRollups");

            migrationBuilder.DropIndex(
                name: "IX_UsageSpeedRollups_Day",
                table: "UsageSpeedRollups");

            migrationBuilder.DropIndex(
                name: "IX_UsageDailyRollups_Day",
                table: "UsageDailyRollups");
        }
    }
}
